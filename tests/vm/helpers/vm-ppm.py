#!/usr/bin/python3
"""tests/vm/helpers/vm-ppm.py: checks of a screenshot (binary PPM, `grim -t ppm`) that are not
exact colours (vm-screen's job): converted YUV, a client's own picture, an image's orientation.

  vm-ppm.py near FILE 0xRRGGBB WxH [TOLERANCE]
      at least 90% of W*H pixels within TOLERANCE (default 8) of the colour, per channel
  vm-ppm.py drawn FILE WxH+X+Y 0xBACKGROUND
      at least half of the window's pixels (every other row and column) are not the background
  vm-ppm.py bars FILE
      strongly yellow and strongly blue areas (colour bars: vivid, videotestsrc), 200+ samples each
  vm-ppm.py upright FILE
      the middle column is much greener at the bottom than at the top (planar-heap's pattern)

Prints one line saying what it found; exit status 0 when the check holds, 1 when not.
"""
import re
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    fields, at = [], 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        end = at
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    if fields[0] != b"P6" or fields[3] != b"255":
        sys.exit(f"{path}: not a binary PPM with maxval 255")
    return int(fields[1]), int(fields[2]), data[at + 1:]


def rgb(text):
    value = int(text, 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def near(path, colour, size, tolerance="8"):
    _, _, pixels = read_ppm(path)
    want, tol = rgb(colour), int(tolerance)
    w, h = (int(v) for v in size.split("x"))
    count = sum(1 for i in range(0, len(pixels) - 2, 3)
                if all(abs(pixels[i + c] - want[c]) <= tol for c in range(3)))
    print(f"{count} pixels within {tol} of {colour} (want {w * h * 9 // 10} of {size})")
    return count >= w * h * 9 // 10


def drawn(path, geometry, background):
    width, height, pixels = read_ppm(path)
    w, h, x, y = (int(v) for v in re.match(r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)$", geometry).groups())
    bg = bytes(rgb(background))
    inside = other = 0
    for py in range(max(0, y), min(height, y + h), 2):
        for px in range(max(0, x), min(width, x + w), 2):
            i = (py * width + px) * 3
            inside += 1
            other += pixels[i:i + 3] != bg
    print(f"{other} of {inside} sampled pixels of the {geometry} window are not the background")
    return inside > 0 and other * 2 >= inside


def bars(path):
    _, _, pixels = read_ppm(path)
    yellow = blue = 0
    for i in range(0, len(pixels) - 2, 3 * 7):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        yellow += r > 150 and g > 150 and b < 60
        blue += b > 150 and r < 60 and g < 60
    print(f"{yellow} yellow and {blue} blue samples")
    return yellow > 200 and blue > 200


def upright(path):
    width, height, pixels = read_ppm(path)
    green = lambda x, y: pixels[(y * width + x) * 3 + 1]
    top, bottom = green(width // 2, 4), green(width // 2, height - 5)
    print(f"green {top} at the top, {bottom} at the bottom")
    return top + 100 < bottom


CHECKS = {"near": near, "drawn": drawn, "bars": bars, "upright": upright}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit(__doc__)
    sys.exit(0 if CHECKS[sys.argv[1]](*sys.argv[2:]) else 1)
