#!/usr/bin/env python3
"""Render a tmux pane capture (with SGR escapes) to a PNG.

usage: tmux capture-pane -t S -p -e -N | scripts/ansi2png.py COLS ROWS out.png

Feeds the capture to a pyte screen, then paints each cell with Pillow: background, glyph (bold
font for bold cells), underline, reverse video. Glyphs missing from DejaVu Sans Mono fall back to
DejaVu Sans, and wide (CJK) cells to WenQuanYi Zen Hei when installed.
Needs `pyte` and `Pillow` (scripts/screenshots.sh installs them).
"""
import os
import sys

import pyte
from PIL import Image, ImageChops, ImageDraw, ImageFont
from wcwidth import wcwidth

FONTS = "/usr/share/fonts/truetype"
MONO = f"{FONTS}/dejavu/DejaVuSansMono"
SANS = f"{FONTS}/dejavu/DejaVuSans"
CJK = f"{FONTS}/wqy/wqy-zenhei.ttc"
SIZE = 16
PALETTE = {
    "black": (40, 40, 40), "red": (224, 82, 82), "green": (80, 200, 120), "brown": (229, 192, 60),
    "yellow": (229, 192, 60), "blue": (80, 140, 230), "magenta": (200, 120, 220), "cyan": (70, 190, 210),
    "white": (229, 229, 229),
}
FOREGROUND, BACKGROUND = (220, 220, 220), (24, 26, 30)


def color(name, default):
    """pyte gives colour names, or hex for 256-colour and true-colour cells."""
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    try:
        return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return default


def main():
    cols, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    screen = pyte.Screen(cols, rows)
    stream = pyte.Stream(screen)
    lines = sys.stdin.read().rstrip("\n").split("\n")[:rows]
    stream.feed("\r\n".join(lines))  # no trailing newline: it would scroll one row

    regular = ImageFont.truetype(MONO + ".ttf", SIZE)
    bold = ImageFont.truetype(MONO + "-Bold.ttf", SIZE)
    fallback = ImageFont.truetype(SANS + ".ttf", SIZE)
    fallback_bold = ImageFont.truetype(SANS + "-Bold.ttf", SIZE)
    cjk = ImageFont.truetype(CJK, SIZE) if os.path.exists(CJK) else fallback
    cell_width, cell_height = int(regular.getlength("M")), int(SIZE * 1.3)

    missing_mask = regular.getmask("\ue000")  # a private-use character: the .notdef glyph
    known = {}

    def has_glyph(font, char):
        key = (id(font), char)
        if key not in known:
            mask = font.getmask(char)
            same = mask.size == missing_mask.size and not ImageChops.difference(
                Image.frombytes("L", mask.size, bytes(mask)), Image.frombytes("L", missing_mask.size, bytes(missing_mask))
            ).getbbox()
            known[key] = not same
        return known[key]

    image = Image.new("RGB", (cols * cell_width + 16, rows * cell_height + 16), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for y in range(rows):
        for x in range(cols):
            cell = screen.buffer[y][x]
            if cell.data == "":
                continue  # the right half of a wide character
            fg, bg = color(cell.fg, FOREGROUND), color(cell.bg, BACKGROUND)
            if cell.reverse:
                fg, bg = bg, fg
            wide = bool(cell.data) and wcwidth(cell.data[0]) == 2
            px, py = 8 + x * cell_width, 8 + y * cell_height
            draw.rectangle([px, py, px + cell_width * (2 if wide else 1) - 1, py + cell_height - 1], fill=bg)
            if cell.data.strip():
                char = cell.data[0]
                if "\u2580" <= char <= "\u259f":  # block elements: draw exactly, so big letters join up
                    half = cell_height // 2
                    if char in "\u2580\u2588":
                        draw.rectangle([px, py, px + cell_width - 1, py + half - 1], fill=fg)
                    if char in "\u2584\u2588":
                        draw.rectangle([px, py + half, px + cell_width - 1, py + cell_height - 1], fill=fg)
                    if char not in "\u2580\u2584\u2588":
                        draw.text((px, py + 1), cell.data, font=regular, fill=fg)
                else:
                    font = bold if cell.bold else regular
                    if wide:
                        font = cjk
                    elif not has_glyph(font, char):
                        font = fallback_bold if cell.bold else fallback
                    draw.text((px, py + 1), cell.data, font=font, fill=fg)
            if cell.underscore:
                draw.line([px, py + cell_height - 2, px + cell_width - 1, py + cell_height - 2], fill=fg)
    image.save(out)


if __name__ == "__main__":
    main()
