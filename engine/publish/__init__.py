"""The YouTube package: titles, description, chapters, tags, hashtags, category, and thumbnails."""
