"""Content analysis: what the footage is, what it talks about, where its topics change, and its peaks.

Pure Python and offline. Every module here reads the transcript through `text.Sentence`, so
recognition errors and the transcriber's own segmentation reach each of them the same way.
"""
