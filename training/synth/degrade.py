"""How the page reaches us: a clean export, a scan, a screenshot with app chrome, a phone photo
of the paper, or a phone photo of a screen. Geometric effects run through albumentations with
every label quad corner as a keypoint, so the labels follow the pixels exactly."""

from __future__ import annotations

import random
from typing import Literal

import albumentations as A
import cv2
import numpy as np
from PIL import Image

from training.synth import fonts
from training.synth.canvas import Canvas

Capture = Literal["clean", "scan", "screenshot", "photo", "screen_photo"]
CAMERA: tuple[Capture, ...] = ("photo", "screen_photo")

_KEYPOINTS = A.KeypointParams(format="xy", remove_invisible=False)
_DESKS = ((120, 84, 52), (160, 120, 80), (70, 70, 75), (200, 200, 195), (40, 40, 45),
          (180, 150, 110))


def sample_capture(rng: random.Random, photo_share: float) -> Capture:
    if rng.random() < photo_share:
        return "photo" if rng.random() < 0.8 else "screen_photo"
    return rng.choices(["clean", "scan", "screenshot"], weights=[6, 2.5, 1.5])[0]  # type: ignore[return-value]


# --- keypoints: every quad corner of every line and cell ----------------------------------------


def _points(canvas: Canvas) -> list[tuple[float, float]]:
    return [p for item in (*canvas.lines, *canvas.cells) for p in item.quad]


def _set_points(canvas: Canvas, points: list[tuple[float, float]]) -> None:
    it = iter(points)
    for item in (*canvas.lines, *canvas.cells):
        item.quad = [next(it) for _ in range(4)]


def _geometric(canvas: Canvas, image: np.ndarray, transform: A.Compose) -> np.ndarray:
    out = transform(image=image, keypoints=np.array(_points(canvas), dtype=np.float32))
    _set_points(canvas, [(float(x), float(y)) for x, y in out["keypoints"]])
    return out["image"]


# --- screens --------------------------------------------------------------------------------------


def screenshot_frame(canvas: Canvas, rng: random.Random) -> Canvas:
    """The page inside a viewer window: title bar, toolbar, grey surround. Chrome text is
    recorded like any other line (role "other")."""
    w, h = canvas.size
    bar = int(h * rng.uniform(0.05, 0.08))
    scale = rng.uniform(0.8, 0.95)
    pw, ph = int(w * scale), int(h * scale)
    frame = Canvas(w, h + bar, rng.choice([(82, 86, 89), (230, 230, 230), (50, 54, 57)]))
    ox, oy = (w - pw) // 2, bar + (h - ph) // 2
    frame.image.paste(canvas.image.resize((pw, ph), Image.Resampling.LANCZOS), (ox, oy))
    for item in (*canvas.lines, *canvas.cells):
        item.quad = [(x * scale + ox, y * scale + oy) for x, y in item.quad]
    frame.lines, frame.cells = canvas.lines, canvas.cells
    dark = frame.image.getpixel((0, 0))[0] < 128  # type: ignore[index]
    frame.draw.rectangle([0, 0, w, bar], fill=(32, 33, 36) if dark else (245, 245, 245))
    ink = (230, 230, 230) if dark else (40, 40, 40)
    font = fonts.load(fonts.by_style("sans")[0].regular, int(bar * 0.4))
    title = rng.choice(["Timetable.pdf", "Class timetable 2024.docx", "timetable (1).pdf",
                        "Weekly Timetable - Word", "IMG_2041.PNG"])
    frame.text(title, bar * 0.5, bar * 0.25, font, ink, 0, "other")
    zoom = f"{int(scale * 100)}%"
    frame.text(zoom, w - bar * 0.5 - font.getlength(zoom), bar * 0.25, font, ink, 0, "other")
    return frame


def _moire(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """Interference between screen pixels and camera sensor: faint oblique bands.
    (albumentations has no moiré transform.)"""
    h, w = image.shape[:2]
    theta, period = rng.uniform(0, np.pi), rng.uniform(4.0, 9.0)
    k = 2 * np.pi / period
    phase = (np.arange(w, dtype=np.float32)[None, :] * np.cos(theta) * k
             + np.arange(h, dtype=np.float32)[:, None] * np.sin(theta) * k)
    shade = 1.0 + rng.uniform(0.03, 0.08) * np.sin(phase)
    return cv2.multiply(image, cv2.merge([shade.astype(np.float32)] * 3), dtype=cv2.CV_8U)


# --- paper ---------------------------------------------------------------------------------


def _paper(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """Uneven paper and light: a faint low-frequency mottle (a coarse random field, smoothly
    enlarged)."""
    h, w = image.shape[:2]
    coarse = np.random.default_rng(rng.randrange(2**32)).normal(1.0, 0.025, (6, 8))
    field = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return cv2.multiply(image, cv2.merge([field] * 3), dtype=cv2.CV_8U)


def _on_desk(canvas: Canvas, image: np.ndarray, desk: tuple[int, int, int],
             rng: random.Random) -> np.ndarray:
    """Put the page on a desk with a margin, so the photo shows the page edges."""
    h, w = image.shape[:2]
    mx, my = int(w * rng.uniform(0.03, 0.12)), int(h * rng.uniform(0.03, 0.12))
    out = cv2.copyMakeBorder(image, my, my, mx, mx, cv2.BORDER_CONSTANT,
                             value=desk)
    for item in (*canvas.lines, *canvas.cells):
        item.quad = [(x + mx, y + my) for x, y in item.quad]
    return out


def _photo_geometry(seed: int, rng: random.Random, desk: tuple[int, int, int]) -> A.Compose:
    return A.Compose(
        [
            A.Perspective(scale=(0.02, rng.uniform(0.04, 0.09)), fit_output=True, p=1.0,
                          fill=desk),
            A.Affine(rotate=(-6, 6), fit_output=True, p=1.0, fill=desk),
        ],
        keypoint_params=_KEYPOINTS, seed=seed,
    )


def _photo_light(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.Illumination(mode="gaussian", intensity_range=(0.05, 0.2), p=0.5),
            A.Illumination(mode="linear", intensity_range=(0.05, 0.2), p=0.5),
            A.RandomShadow(shadow_roi=(0, 0, 1, 1), num_shadows_limit=(1, 2),
                           shadow_intensity_range=(0.1, 0.3), p=0.25),
            A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=0.8),
            A.PlanckianJitter(p=0.4),
            A.OneOf([A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=(3, 7)),
                     A.Defocus(radius=(1, 3))], p=0.8),
            A.GaussNoise(std_range=(0.005, 0.03), noise_scale_factor=0.5, p=0.5),
            A.ImageCompression(quality_range=(45, 85), p=0.9),
        ],
        seed=seed,
    )


def _scan(seed: int) -> tuple[A.Compose, A.Compose]:
    geometry = A.Compose([A.Affine(rotate=(-1.5, 1.5), fit_output=True, p=1.0,
                                   fill=(255, 255, 255))], keypoint_params=_KEYPOINTS, seed=seed)
    tone = A.Compose(
        [
            A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=(-0.2, 0.1), p=0.8),
            A.ToGray(num_output_channels=3, p=0.5),
            A.GaussianBlur(blur_limit=(3, 3), p=0.4),
            A.ImageCompression(quality_range=(60, 90), p=0.5),
        ],
        seed=seed + 1,
    )
    return geometry, tone


def _resize(canvas: Canvas, image: np.ndarray, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    height = int(round(h * width / w))
    transform = A.Compose([A.Resize(height, width, interpolation=cv2.INTER_AREA)],
                          keypoint_params=_KEYPOINTS)
    return _geometric(canvas, image, transform)


def capture(canvas: Canvas, kind: Capture, rng: random.Random, seed: int) -> Canvas:
    """Apply the capture effects in place of the canvas image; quads follow."""
    if kind in ("screenshot", "screen_photo"):
        canvas = screenshot_frame(canvas, rng)
    if kind in ("clean", "screenshot"):
        return canvas
    image = np.asarray(canvas.image)
    if kind == "scan":
        geometry, tone = _scan(seed)
        image = tone(image=_geometric(canvas, image, geometry))["image"]
    else:
        desk = rng.choice(_DESKS)
        image = _on_desk(canvas, image, desk, rng)
        # Camera resolution first (long side ~1700-2000 px): the warp and the light effects
        # then run on fewer pixels.
        h, w = image.shape[:2]
        target = rng.randrange(1600, 1900, 4) * w // max(w, h)
        image = _paper(_resize(canvas, image, target), rng)
        if kind == "screen_photo":
            image = _moire(image, rng)
        image = _geometric(canvas, image, _photo_geometry(seed, rng, desk))
        image = _photo_light(seed + 1)(image=image)["image"]
    canvas.image = Image.fromarray(np.ascontiguousarray(image))
    _clip(canvas)
    return canvas


def _clip(canvas: Canvas) -> None:
    w, h = canvas.size
    for item in (*canvas.lines, *canvas.cells):
        item.quad = [(min(max(x, 0.0), w - 1.0), min(max(y, 0.0), h - 1.0)) for x, y in item.quad]

