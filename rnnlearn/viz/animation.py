"""Interactive figures that work in the static book: a Matplotlib animation as JavaScript.

The HTML that :func:`animate` returns holds every frame as an image, a slider and
step/play buttons; it needs no kernel and no network, so the figure works on the
published site and offline. (Matplotlib's player loads its button icons from a CDN;
here the buttons are plain text and the stylesheet link is dropped.)
"""

from __future__ import annotations

import html as html_escape
from typing import Callable, Iterable

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import animation

# Matplotlib's icon font comes from a CDN; text glyphs need nothing.
CDN_STYLESHEET = ('<link rel="stylesheet"\n'
                  'href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">')
ICONS = {"fa fa-minus": "&minus;", "fa fa-fast-backward": "&#8676;", "fa fa-step-backward": "&larr;",
         "fa fa-play fa-flip-horizontal": "&#9664;", "fa fa-pause": "&#10074;&#10074;",
         "fa fa-play": "&#9654;", "fa fa-step-forward": "&rarr;", "fa fa-fast-forward": "&#8677;",
         "fa fa-plus": "+"}


def animate(fig: plt.Figure, update: Callable, frames: Iterable, *, alt: str,
            embed_limit_mb: float = 8, default_mode: str = "once") -> str:
    """Render ``update(frame)`` for every frame of ``fig`` to a self-contained HTML player.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to animate; it is closed afterwards, so the notebook shows it only once.
    update : callable
        ``update(frame)`` redraws ``fig`` for one frame (as for ``FuncAnimation``).
    frames : iterable
        The frames, in the order the slider visits them; keep them to a few dozen so the
        page stays small.
    alt : str
        Alternative text of the image, for readers who cannot see it: what the figure
        shows and what changes from frame to frame.
    embed_limit_mb : float
        Largest HTML accepted, in MB (Matplotlib's ``animation.embed_limit``).
    default_mode : {"once", "loop", "reflect"}
        What the player does at the last frame.

    Returns
    -------
    str
        HTML for ``IPython.display.HTML``: the frames, a slider and step buttons, with no
        reference outside the page.

    Shapes
    ------
    No arrays: one image per frame.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("animate: argument 'frames' must hold at least one frame; got none")
    if not alt.strip():
        raise ValueError("animate: argument 'alt' must describe the figure; got an empty string")
    with matplotlib.rc_context({"animation.embed_limit": embed_limit_mb}):
        player = animation.FuncAnimation(fig, update, frames=frames, blit=False)
        page = player.to_jshtml(default_mode=default_mode)
    plt.close(fig)
    if CDN_STYLESHEET not in page:
        raise RuntimeError("animate: Matplotlib's player changed; update rnnlearn.viz.animation")
    page = page.replace(CDN_STYLESHEET, "")
    for icon, glyph in ICONS.items():
        page = page.replace(f'<i class="{icon}"></i>', glyph)
    return page.replace('<img id="_anim_img', f'<img alt="{html_escape.escape(alt)}" id="_anim_img', 1)
