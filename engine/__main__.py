"""`python -m engine` is the same as the `ai-video-editor` command."""
import sys

from .cli import main

sys.exit(main())
