"""The one thing the dashboards write: snapshots of their default views, in the cache table."""

from django.core.cache import cache

from dashboards.selectors import SNAPSHOT_TIMEOUT, dashboard, snapshot_frames, snapshot_key, sorted_frame


def snapshots_refresh() -> int:
    """Computes every township's and district's month, quarter and year and stores them; returns how many.

    At county scale the step percentiles of a district's year take seconds of SQL; officials open the
    default views, so beat computes those ahead and the page says when. Other filters compute live.
    """
    frames = snapshot_frames()
    for frame in frames:
        frame = sorted_frame(frame)
        cache.set(snapshot_key(frame), dashboard(frame), SNAPSHOT_TIMEOUT)
    return len(frames)
