"""Image analytics of camera frames (OpenCV, numpy): run in worker processes only.

Nothing here touches Django or the disk: frames come in as arrays, results go out as values.
"""
