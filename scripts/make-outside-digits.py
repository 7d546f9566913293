#!/usr/bin/python3
"""Makes datasets/outside-digits: 340 synthetic pictures of the digits 0-9 that are not from MNIST.

    /usr/bin/python3 scripts/make-outside-digits.py [--out datasets/outside-digits] [--seed 20261202]

Another --seed makes a development set of the same kind (e.g. `--seed 1 --out /tmp/outside-dev`): tune on
that, never on the committed test set.

Needs Debian's python3-pil and python3-numpy, and the fonts-dejavu-core, fonts-dejavu-extra and
fonts-liberation fonts (every face under /usr/share/fonts/truetype/{dejavu,liberation}). Seeded: each
picture has its own generator, seeded from (SEED, group, digit, index), so the same packages give the
same bytes. There is no camera here: every picture is drawn by this script (see the README it writes
next to the pictures). The set was generated once and then measured; nothing here looks at a model.

Layout: <out>/<digit>/<group>-<index>.<png|jpg>, the folder-per-class layout that
`gruvision eval <model> --dataset folder:<out> --all` reads.
"""

import argparse
import glob
import io
import math
import os
import shutil

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 20261202
SUPER = 4  # strokes are drawn at 4x and downsampled (anti-aliasing)

FONTS = sorted(
    glob.glob('/usr/share/fonts/truetype/dejavu/*.ttf') + glob.glob('/usr/share/fonts/truetype/liberation/*.ttf')
)

# ---------------------------------------------------------------------------------------------------------
# Pen paths: each digit is a few strokes in a unit box (x right, y down), in one of several common shapes.


def arc(cx, cy, rx, ry, a0, a1, n=40):
    """Points of an elliptic arc, angles in degrees, increasing angle = clockwise on screen (y down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def line(*points, n=20):
    """A polyline through the points, densely sampled (corners stay sharp)."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(np.array([x0, y0]) * (1 - t) + np.array([x1, y1]) * t)
    out.append(np.array([points[-1]]))
    return np.concatenate(out)


def curve(*points, n=16):
    """A Catmull-Rom spline through the points."""
    p = np.array(points, dtype=float)
    p = np.concatenate([p[:1] * 2 - p[1:2], p, p[-1:] * 2 - p[-2:-1]])
    out = []
    for i in range(1, len(p) - 2):
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(p[-2:-1])
    return np.concatenate(out)


def join(*parts):
    return np.concatenate(parts)


SHAPES = {
    0: [
        lambda: [arc(0.5, 0.5, 0.28, 0.42, -95, 272)],
        lambda: [arc(0.5, 0.5, 0.24, 0.44, -80, 290)],
    ],
    1: [
        lambda: [line((0.52, 0.08), (0.5, 0.92))],
        lambda: [line((0.32, 0.28), (0.54, 0.08), (0.54, 0.92))],
        lambda: [line((0.34, 0.26), (0.54, 0.08), (0.54, 0.92)), line((0.34, 0.92), (0.74, 0.92))],
    ],
    2: [
        lambda: [join(arc(0.5, 0.3, 0.26, 0.22, -165, 25), line((0.72, 0.4), (0.22, 0.9), (0.8, 0.9)))],
        lambda: [join(arc(0.48, 0.32, 0.28, 0.24, -180, 0), curve((0.76, 0.32), (0.6, 0.6), (0.24, 0.9)), line((0.24, 0.9), (0.82, 0.88)))],
    ],
    3: [
        lambda: [join(arc(0.48, 0.29, 0.24, 0.21, -160, 90), arc(0.48, 0.71, 0.27, 0.21, -90, 160))],
        lambda: [join(line((0.25, 0.1), (0.72, 0.1), (0.42, 0.42)), arc(0.46, 0.68, 0.28, 0.25, -95, 160))],
    ],
    4: [
        lambda: [line((0.3, 0.08), (0.22, 0.6), (0.82, 0.6)), line((0.66, 0.25), (0.66, 0.95))],
        lambda: [line((0.62, 0.08), (0.18, 0.64), (0.84, 0.64)), line((0.62, 0.08), (0.62, 0.95))],
    ],
    5: [
        lambda: [line((0.74, 0.1), (0.3, 0.1)), join(line((0.3, 0.1), (0.27, 0.47)), arc(0.48, 0.67, 0.27, 0.25, -140, 150))],
        lambda: [line((0.7, 0.08), (0.34, 0.08)), join(line((0.34, 0.08), (0.3, 0.42)), arc(0.5, 0.66, 0.3, 0.27, -145, 145))],
    ],
    6: [
        lambda: [join(curve((0.7, 0.08), (0.45, 0.25), (0.3, 0.48), (0.25, 0.7)), arc(0.5, 0.7, 0.25, 0.22, 180, 520))],
        lambda: [join(curve((0.64, 0.06), (0.38, 0.34), (0.26, 0.72)), arc(0.5, 0.72, 0.24, 0.2, 170, 525))],
    ],
    7: [
        lambda: [line((0.2, 0.1), (0.8, 0.1), (0.42, 0.92))],
        lambda: [line((0.2, 0.12), (0.8, 0.1), (0.4, 0.92)), line((0.36, 0.52), (0.74, 0.5))],
        lambda: [join(line((0.22, 0.1), (0.8, 0.1)), curve((0.8, 0.1), (0.6, 0.45), (0.5, 0.92)))],
    ],
    8: [
        lambda: [arc(0.5, 0.28, 0.2, 0.19, 90, 452), arc(0.5, 0.7, 0.26, 0.22, -90, 272)],
        lambda: [arc(0.5, 0.3, 0.22, 0.2, 90, 452), arc(0.5, 0.71, 0.24, 0.21, -90, 272)],
    ],
    9: [
        lambda: [arc(0.48, 0.3, 0.24, 0.21, 0, 365), line((0.72, 0.3), (0.7, 0.92))],
        lambda: [arc(0.48, 0.3, 0.24, 0.21, 0, 365), curve((0.72, 0.3), (0.7, 0.65), (0.58, 0.9), (0.36, 0.92))],
    ],
}


def hand_strokes(digit, rng):
    """The strokes of one hand-drawn digit: a shape, a random slant/rotation/aspect and a smooth wobble."""
    shapes = SHAPES[digit]
    strokes = shapes[rng.integers(len(shapes))]()
    angle = math.radians(rng.uniform(-10, 10))
    shear = rng.uniform(-0.3, 0.15)  # handwriting leans right more often than left
    sx = rng.uniform(0.8, 1.15)
    sy = rng.uniform(0.9, 1.05)
    waves = [(rng.uniform(1, 3), rng.uniform(1, 3), rng.uniform(0, 2 * math.pi), rng.uniform(0.005, 0.025)) for _ in range(4)]
    out = []
    for s in strokes:
        p = s - 0.5
        p = p + rng.normal(0, 0.008, size=2)  # strokes do not meet exactly
        wob = np.zeros_like(p)
        for i, (fx, fy, ph, amp) in enumerate(waves):
            wob[:, i % 2] += amp * np.sin(2 * math.pi * (fx * p[:, 0] + fy * p[:, 1]) + ph)
        p = p + wob
        p = np.stack([p[:, 0] * sx + shear * p[:, 1], p[:, 1] * sy], axis=1)
        c, si = math.cos(angle), math.sin(angle)
        p = np.stack([c * p[:, 0] - si * p[:, 1], si * p[:, 0] + c * p[:, 1]], axis=1)
        out.append(p)
    return out


def resample(points, spacing):
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    dist = np.concatenate([[0], np.cumsum(seg)])
    if dist[-1] == 0:
        return points[:1], np.zeros(1)
    t = np.arange(0, dist[-1] + spacing / 2, spacing)
    return np.stack([np.interp(t, dist, points[:, 0]), np.interp(t, dist, points[:, 1])], axis=1), t / dist[-1]


def stroke_coverage(strokes, w, h, cx, cy, height, width_px, tool, rng):
    """Ink coverage (0..1, float) of the strokes drawn with a tool: digit centre (cx, cy), digit height in px."""
    W, H = w * SUPER, h * SUPER
    img = Image.new('L', (W, H), 0)
    draw = ImageDraw.Draw(img)
    for s in strokes:
        pts = s * height * SUPER + np.array([cx * SUPER, cy * SUPER])
        r0 = width_px * SUPER / 2
        pts, t = resample(pts, max(1.0, r0 / 3))
        for (x, y), tt in zip(pts, t):
            if tool == 'brush':  # pressure: thin at the ends, thicker in the middle, a little uneven
                r = r0 * (0.35 + 0.9 * math.sin(math.pi * min(1, max(0, tt))) ** 0.7) * rng.uniform(0.9, 1.1)
            elif tool in ('pen', 'pencil'):
                r = r0 * rng.uniform(0.85, 1.1)
            else:
                r = r0
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    cov = np.asarray(img.resize((w, h), Image.BOX), dtype=np.float64) / 255
    if tool in ('pencil', 'chalk'):  # grain: the tip skips over the paper's tooth
        grain = rng.uniform(0.35 if tool == 'chalk' else 0.45, 1.0, size=(h, w))
        cov = cov * grain
    return cov


# ---------------------------------------------------------------------------------------------------------
# Surfaces and light.


def paper(w, h, rng, level=None, tint=None):
    """Off-white paper with fibre noise, as RGB float 0..255."""
    level = rng.uniform(215, 250) if level is None else level
    tint = np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 1.0)]) if tint is None else np.array(tint)
    fibre = np.asarray(
        Image.fromarray((rng.normal(128, 40, size=(h // 2 + 1, w // 2 + 1))).clip(0, 255).astype(np.uint8)).resize((w, h), Image.BILINEAR),
        dtype=np.float64,
    )
    base = level + (fibre - 128) * 0.05 + rng.normal(0, 2, size=(h, w))
    return base[:, :, None] * tint[None, None, :]


def board(w, h, rng):
    """A dark board (chalkboard green or slate) with smudges."""
    color = [np.array([38, 58, 48]), np.array([40, 40, 44]), np.array([25, 30, 45])][rng.integers(3)] * rng.uniform(0.8, 1.3)
    smudge = np.asarray(Image.fromarray(rng.uniform(0, 255, size=(6, 6)).astype(np.uint8)).resize((w, h), Image.BICUBIC), dtype=np.float64)
    return color[None, None, :] * (1 + (smudge[:, :, None] - 128) / 128 * 0.25) + rng.normal(0, 3, size=(h, w, 1))


def composite(surface, cov, ink, opacity=1.0):
    a = (cov * opacity)[:, :, None]
    return surface * (1 - a) + np.array(ink, dtype=np.float64)[None, None, :] * a


def light_field(w, h, rng, gradient=(0.55, 1.0), vignette=0.0, shadow=False):
    """Illumination to multiply a picture by: a linear gradient, optional vignetting and a soft shadow."""
    y, x = np.mgrid[0:h, 0:w]
    u = (x - w / 2) / (w / 2)
    v = (y - h / 2) / (h / 2)
    a = rng.uniform(0, 2 * math.pi)
    lo, hi = gradient
    g = np.cos(a) * u + np.sin(a) * v
    field = lo + (hi - lo) * (g - g.min()) / max(1e-9, g.max() - g.min())
    if vignette > 0:
        r2 = (u**2 + v**2) / 2  # 1 in the corners
        cx, cy = rng.uniform(-0.2, 0.2, size=2)
        r2 = ((u - cx) ** 2 + (v - cy) ** 2) / 2
        field = field * np.clip(1 - vignette * r2 ** rng.uniform(0.8, 1.4), 0.05, 1)
    if shadow:  # a soft-edged shadow over one side (a hand or a phone)
        b = rng.uniform(0, 2 * math.pi)
        d = np.cos(b) * u + np.sin(b) * v - rng.uniform(0.55, 0.9)
        field = field * (1 - rng.uniform(0.25, 0.45) / (1 + np.exp(-d / 0.08)))
    return field


def perspective(img, rng, amount):
    """A photo taken at an angle: the four corners moved by up to amount × size."""
    w, h = img.size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(x + rng.uniform(-amount, amount) * w, y + rng.uniform(-amount, amount) * h) for x, y in src]
    # coefficients mapping output (dst) points to input (src) points
    A, B = [], []
    for (x, y), (X, Y) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -X * x, -X * y])
        A.append([0, 0, 0, x, y, 1, -Y * x, -Y * y])
        B += [X, Y]
    coeffs = np.linalg.solve(np.array(A, dtype=float), np.array(B, dtype=float))
    return img.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC, fillcolor=tuple(int(c) for c in np.asarray(img)[h // 2, 2]))


def to_image(arr):
    return Image.fromarray(np.clip(np.round(arr), 0, 255).astype(np.uint8))


def jpeg(img, quality):
    buf = io.BytesIO()
    img.save(buf, 'JPEG', quality=quality)
    return buf.getvalue()


def png(img):
    buf = io.BytesIO()
    img.save(buf, 'PNG', optimize=True)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Printed digits.


def font_coverage(digit, w, h, cx, cy, height, font_path, rng, rotate=0.0):
    """Coverage of one digit typeset in a font: its glyph height (ink, not em) is `height` px."""
    size = 200
    font = ImageFont.truetype(font_path, size)
    img = Image.new('L', (size * 2, size * 2), 0)
    ImageDraw.Draw(img).text((size, size), str(digit), font=font, fill=255, anchor='mm')
    if rotate:
        img = img.rotate(rotate, resample=Image.BICUBIC)
    box = img.getbbox()
    glyph = img.crop(box)
    scale = height / glyph.height
    gw = max(1, round(glyph.width * scale))
    gh = max(1, round(glyph.height * scale))
    glyph = glyph.resize((gw, gh), Image.LANCZOS)
    out = Image.new('L', (w, h), 0)
    out.paste(glyph, (round(cx - gw / 2), round(cy - gh / 2)))
    return np.asarray(out, dtype=np.float64) / 255


# ---------------------------------------------------------------------------------------------------------
# The groups. Each returns (bytes, extension).

INKS = {
    'pen': [(20, 30, 110), (15, 15, 20), (30, 30, 35)],  # blue and black ballpoint / fineliner
    'marker': [(10, 10, 10), (20, 40, 150), (170, 20, 20), (20, 110, 40)],
}


def hand_digit_on(surface, digit, rng, tool, width_frac, height_frac, ink, opacity=1.0, offset=(0.0, 0.0)):
    h, w = surface.shape[:2]
    height = height_frac * h
    strokes = hand_strokes(digit, rng)
    cov = stroke_coverage(strokes, w, h, w / 2 + offset[0] * w, h / 2 + offset[1] * h, height, width_frac * height, tool, rng)
    return composite(surface, cov, ink, opacity)


def g_font(digit, k, rng):
    """Printed: one of the machine's 38 font faces, black or coloured ink, on white or tinted paper."""
    font = FONTS[(digit * 7 + k * 11) % len(FONTS)]
    w = h = int(rng.integers(48, 129))
    surface = paper(w, h, rng) if rng.random() < 0.5 else np.full((h, w, 3), 255.0)
    ink = [(0, 0, 0), (30, 30, 30), (20, 40, 140), (140, 20, 20)][rng.integers(4)]
    cov = font_coverage(digit, w, h, w / 2 + rng.uniform(-0.08, 0.08) * w, h / 2 + rng.uniform(-0.06, 0.06) * h, rng.uniform(0.5, 0.85) * h, font, rng, rotate=rng.uniform(-6, 6))
    return png(to_image(composite(surface, cov, ink)).convert('L' if ink[0] == ink[1] else 'RGB')), 'png'


def g_pen(digit, k, rng):
    """Ballpoint / fineliner: thin uniform strokes on paper."""
    w = h = int(rng.integers(64, 129))
    img = hand_digit_on(paper(w, h, rng), digit, rng, 'pen', rng.uniform(0.03, 0.07), rng.uniform(0.55, 0.8), INKS['pen'][rng.integers(3)])
    return jpeg(to_image(img), 90), 'jpg'


def g_marker(digit, k, rng):
    """Felt marker: thick uniform strokes, several colours."""
    w = h = int(rng.integers(64, 129))
    img = hand_digit_on(paper(w, h, rng), digit, rng, 'marker', rng.uniform(0.1, 0.17), rng.uniform(0.55, 0.75), INKS['marker'][rng.integers(4)], opacity=rng.uniform(0.85, 1))
    return jpeg(to_image(img), 90), 'jpg'


def g_pencil(digit, k, rng):
    """Pencil: gray, grainy, light pressure, medium width."""
    w = h = int(rng.integers(64, 129))
    g = rng.uniform(60, 110)
    img = hand_digit_on(paper(w, h, rng), digit, rng, 'pencil', rng.uniform(0.04, 0.08), rng.uniform(0.55, 0.8), (g, g, g + 5), opacity=rng.uniform(0.7, 0.95))
    return png(to_image(img).convert('L')), 'png'


def g_brush(digit, k, rng):
    """Brush pen: width follows the pressure along each stroke."""
    w = h = int(rng.integers(64, 129))
    img = hand_digit_on(paper(w, h, rng), digit, rng, 'brush', rng.uniform(0.08, 0.16), rng.uniform(0.55, 0.78), (10, 10, 15))
    return png(to_image(img).convert('L')), 'png'


def g_chalk(digit, k, rng):
    """Light on dark: chalk on a board (grainy) or a white marker on a dark board."""
    w = h = int(rng.integers(64, 129))
    tool = 'chalk' if rng.random() < 0.7 else 'marker'
    img = hand_digit_on(board(w, h, rng), digit, rng, tool, rng.uniform(0.06, 0.14), rng.uniform(0.55, 0.78), (235, 235, 225))
    return jpeg(to_image(img), 90), 'jpg'


def g_screen(digit, k, rng):
    """Light on dark print: a digit in a font on a dark screen or dark card."""
    font = FONTS[(digit * 5 + k * 13 + 3) % len(FONTS)]
    w = h = int(rng.integers(48, 113))
    bg = [(0, 0, 0), (20, 24, 36), (30, 30, 30), (10, 40, 80)][rng.integers(4)]
    surface = np.ones((h, w, 3)) * np.array(bg, dtype=np.float64)
    ink = [(255, 255, 255), (230, 230, 210), (120, 220, 120)][rng.integers(3)]
    cov = font_coverage(digit, w, h, w / 2 + rng.uniform(-0.08, 0.08) * w, h / 2, rng.uniform(0.5, 0.8) * h, font, rng)
    return png(to_image(composite(surface, cov, ink))), 'png'


def photographed(base, rng, vignette, size):
    """A picture on paper photographed: perspective, light (gradient, vignetting, shadow), blur, noise, JPEG."""
    img = perspective(to_image(base), rng, rng.uniform(0.0, 0.06))
    arr = np.asarray(img, dtype=np.float64)
    h, w = arr.shape[:2]
    field = light_field(w, h, rng, gradient=(rng.uniform(0.45, 0.8), 1.0), vignette=vignette, shadow=rng.random() < 0.4)
    warm = np.array([1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 0.95)])
    arr = arr * field[:, :, None] * warm[None, None, :] * rng.uniform(0.85, 1.05)
    img = to_image(arr).filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.6)))
    img = img.resize((size, size), Image.BILINEAR)
    arr = np.asarray(img, dtype=np.float64) + rng.normal(0, rng.uniform(2, 6), size=(size, size, 1))
    return jpeg(to_image(arr), int(rng.integers(55, 86))), 'jpg'


def printed_or_drawn(digit, k, rng, w):
    """A page to photograph: a digit printed in a font or drawn with a pen or marker, dark on light."""
    surface = paper(w, w, rng)
    if k % 2 == 0:
        font = FONTS[(digit * 3 + k * 17 + 5) % len(FONTS)]
        cov = font_coverage(digit, w, w, w / 2, w / 2, rng.uniform(0.45, 0.7) * w, font, rng, rotate=rng.uniform(-5, 5))
        return composite(surface, cov, (15, 15, 20))
    tool = 'marker' if rng.random() < 0.5 else 'pen'
    width = rng.uniform(0.1, 0.15) if tool == 'marker' else rng.uniform(0.05, 0.08)
    return hand_digit_on(surface, digit, rng, tool, width, rng.uniform(0.5, 0.7), INKS[tool][rng.integers(len(INKS[tool]))])


def g_photo(digit, k, rng):
    """Printed or drawn, then photographed in uneven light (gradient, some with a shadow), JPEG."""
    return photographed(printed_or_drawn(digit, k, rng, 200), rng, vignette=rng.uniform(0, 0.3), size=int(rng.integers(96, 161)))


def g_vignette(digit, k, rng):
    """Photographed with strong vignetting: corners at roughly 10-50 % of the centre's light."""
    return photographed(printed_or_drawn(digit, k, rng, 200), rng, vignette=rng.uniform(0.5, 0.9), size=int(rng.integers(96, 161)))


def g_offcentre(digit, k, rng):
    """Small and off-centre in a wider or taller picture, either polarity, printed or drawn."""
    w, h = int(rng.integers(80, 151)), int(rng.integers(80, 151))
    light = k % 3 != 2
    surface = paper(w, h, rng) if light else board(w, h, rng)
    ink = (15, 15, 20) if light else (235, 235, 225)
    height = rng.uniform(0.25, 0.45) * min(w, h)
    mx = (height * 0.45 + 4) / w
    my = (height * 0.6 + 4) / h
    ox = rng.choice([-1, 1]) * rng.uniform(0.15, 0.5 - mx)
    oy = rng.choice([-1, 1]) * rng.uniform(0.1, max(0.11, 0.5 - my))
    if k % 2 == 0:
        font = FONTS[(digit * 9 + k * 7 + 1) % len(FONTS)]
        cov = font_coverage(digit, w, h, w / 2 + ox * w, h / 2 + oy * h, height, font, rng)
        img = composite(surface, cov, ink)
    else:
        img = hand_digit_on(surface, digit, rng, 'marker', rng.uniform(0.06, 0.14), height / h, ink, offset=(ox, oy))
    return png(to_image(img).convert('L')), 'png'


GROUPS = [
    ('font', g_font, 6),
    ('pen', g_pen, 3),
    ('marker', g_marker, 3),
    ('pencil', g_pencil, 3),
    ('brush', g_brush, 3),
    ('chalk', g_chalk, 3),
    ('screen', g_screen, 2),
    ('photo', g_photo, 4),
    ('vignette', g_vignette, 4),
    ('offcentre', g_offcentre, 3),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', 'datasets', 'outside-digits'))
    parser.add_argument('--seed', type=int, default=SEED, help='seed of every picture (the committed test set: %(default)s)')
    args = parser.parse_args()
    for d in range(10):
        shutil.rmtree(os.path.join(args.out, str(d)), ignore_errors=True)
        os.makedirs(os.path.join(args.out, str(d)))
    total = 0
    size = 0
    for gi, (name, make, count) in enumerate(GROUPS):
        for digit in range(10):
            for k in range(count):
                rng = np.random.default_rng([args.seed, gi, digit, k])
                data, ext = make(digit, k, rng)
                with open(os.path.join(args.out, str(digit), f'{name}-{k}.{ext}'), 'wb') as f:
                    f.write(data)
                total += 1
                size += len(data)
    print(f'{total} pictures, {size} bytes in {args.out}')


if __name__ == '__main__':
    main()
