"""Speech to text with word times, and what the words reveal: fillers and retakes.

`windows` decides which audio the recogniser hears, `recognizer` runs faster-whisper,
`words` turns its output into timed words and sentences, `acoustic` measures how a
stretch of audio sounds, and `fillers` and `retakes` find what an editor would cut.
"""
