// Screenshots as the tests read them: grim's binary PPM, xwd's XWD dump and
// gvnccapture's PNG, decoded into 0xRRGGBB pixels, and a search for a block of
// one colour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace image {

struct Image {
    int width = 0;
    int height = 0;
    std::vector<uint32_t> pixels; // 0xRRGGBB, row-major

    uint32_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// Binary PPM (P6, maxval 255), as `grim -t ppm` writes it.
std::optional<Image> read_ppm(const std::string &path, std::string *error = nullptr);

// PNG of any colour type (libpng converts), alpha dropped: what gvnccapture
// writes through gdk-pixbuf (8-bit RGBA, opaque).
std::optional<Image> read_png(const std::string &path, std::string *error = nullptr);

// XWD (X11 window dump, version 7) of a 24/32-bit TrueColor visual, as
// `xwd -root` writes it for Xvfb's default screen.
std::optional<Image> read_xwd(const std::string &path, std::string *error = nullptr);

// Where pixels of exactly `rgb` are: how many, and their bounding box.
struct ColourBox {
    long count = 0;
    int min_x = 0, min_y = 0, max_x = -1, max_y = -1;
    int width() const { return max_x - min_x + 1; }
    int height() const { return max_y - min_y + 1; }
};
ColourBox find_colour(const Image &image, uint32_t rgb);

} // namespace image
