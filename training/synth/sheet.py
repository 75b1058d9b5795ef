"""A contact sheet: thumbnails of generated pages beside real ones, to judge by eye whether the
synthetic pages look like teachers' timetables."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from training.synth import fonts

THUMB_W = 560


def _thumb(path: Path, caption: str, frame: tuple[int, int, int]) -> Image.Image:
    image = Image.open(path).convert("RGB")
    image.thumbnail((THUMB_W, THUMB_W))
    tile = Image.new("RGB", (THUMB_W + 8, THUMB_W + 40), frame)
    tile.paste(image, (4, 4))
    font = fonts.load(fonts.catalogue()[0].regular, 20)
    ImageDraw.Draw(tile).text((6, THUMB_W + 10), caption, fill=(255, 255, 255), font=font)
    return tile


def pick_pages(directory: Path, count: int = 12) -> list[Path]:
    pages = sorted((directory / "pages").glob("*.png"))
    if len(pages) <= count:
        return pages
    step = len(pages) / count
    return [pages[int(i * step)] for i in range(count)]


def contact_sheet(directory: Path, out: Path, real: Path | None = None, count: int = 12,
                  columns: int = 4) -> Path:
    tiles = [_thumb(p, f"real {p.stem}", (150, 30, 30))
             for p in sorted(real.glob("*.png"))] if real else []
    tiles += [_thumb(p, p.stem, (40, 40, 40)) for p in pick_pages(directory, count)]
    if not tiles:
        raise ValueError(f"no pages under {directory}/pages")
    tw, th = tiles[0].size
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * tw, rows * th), (20, 20, 20))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, ((i % columns) * tw, (i // columns) * th))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out
