"""The one thing the dashboards write: snapshots of their default views (the figures, and the pages
rendered from them), in the cache (Redis, or the cache table without it)."""

from django.core.cache import cache

from dashboards import selectors as s

PAGE_TIMEOUT = 15 * 60


def _keep(data: dict, timeout: int) -> None:
    """The snapshot and its stamp, together."""
    frame = s.sorted_frame(data["frame"])
    cache.set_many({s.snapshot_key(frame): data, s.stamp_key(frame): s.stamp_of(data)}, timeout)


def snapshots_refresh() -> int:
    """Computes every township's and district's month, quarter and year and stores them; returns how many.

    At county scale the step percentiles of a district's year take seconds of SQL; officials open the
    default views, so beat computes those ahead and the page says when. Other filters compute live.
    """
    frames = s.snapshot_frames()
    for frame in frames:
        _keep(s.dashboard(s.sorted_frame(frame)), s.SNAPSHOT_TIMEOUT)
    return len(frames)


def figures_keep(*, frame: s.Frame, keep: bool = False) -> dict:
    """The frame's figures (`selectors.dashboard_or_snapshot`). With keep (the village dashboard: its frame
    is one village), a month, quarter or year computed live is kept as the frame's snapshot for
    `VILLAGE_SNAPSHOT_TIMEOUT`, so that the next views of it do not walk the village's history again."""
    data = s.dashboard_or_snapshot(frame)
    if keep and not data["from_snapshot"] and s.has_snapshot(frame):
        kept = {key: value for key, value in data.items() if key != "from_snapshot"}
        _keep({**kept, "frame": s.sorted_frame(frame)}, s.VILLAGE_SNAPSHOT_TIMEOUT)
    return data


def page_keep(*, data: dict, address: str, language: str, html: str) -> None:
    """Keeps the page rendered from a snapshot for `PAGE_TIMEOUT` (nothing when the figures were computed
    live), with the stamp of the snapshot it shows, so that `selectors.kept_page` never serves it once the
    snapshot is refreshed. A snapshot stored without a stamp gets one (added only where there is none, so
    never over a newer snapshot's)."""
    if not data.get("from_snapshot"):
        return
    stamp = s.stamp_of(data)
    cache.add(s.stamp_key(stamp["frame"]), stamp, s.VILLAGE_SNAPSHOT_TIMEOUT)
    key = s.page_key(stamp["frame"], address=address, language=language)
    cache.set(key, {**stamp, "html": html}, PAGE_TIMEOUT)
