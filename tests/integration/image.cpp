#include "image.hpp"

#include <algorithm>
#include <bit>
#include <fstream>
#include <iterator>

#include <png.h>

namespace image {
namespace {

std::optional<std::string> slurp(const std::string &path, std::string *error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = "cannot open " + path;
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::optional<Image> fail(std::string *error, const std::string &why) {
    if (error) *error = why;
    return std::nullopt;
}

} // namespace

std::optional<Image> read_ppm(const std::string &path, std::string *error) {
    auto data = slurp(path, error);
    if (!data) return std::nullopt;
    // Header: "P6" width height maxval, whitespace-separated, then one byte of whitespace.
    size_t pos = 0;
    auto next_token = [&]() -> std::string {
        while (pos < data->size()) {
            if ((*data)[pos] == '#') {
                while (pos < data->size() && (*data)[pos] != '\n') pos++;
            } else if (isspace(static_cast<unsigned char>((*data)[pos]))) {
                pos++;
            } else {
                break;
            }
        }
        size_t start = pos;
        while (pos < data->size() && !isspace(static_cast<unsigned char>((*data)[pos]))) pos++;
        return data->substr(start, pos - start);
    };
    if (next_token() != "P6") return fail(error, path + ": not a binary PPM");
    Image img;
    img.width = std::atoi(next_token().c_str());
    img.height = std::atoi(next_token().c_str());
    if (next_token() != "255") return fail(error, path + ": maxval is not 255");
    pos++; // the single whitespace byte before the samples
    size_t count = static_cast<size_t>(img.width) * img.height;
    if (img.width <= 0 || img.height <= 0 || data->size() - pos < count * 3) {
        return fail(error, path + ": truncated");
    }
    img.pixels.resize(count);
    auto *p = reinterpret_cast<const unsigned char *>(data->data() + pos);
    for (size_t i = 0; i < count; i++, p += 3) img.pixels[i] = (p[0] << 16) | (p[1] << 8) | p[2];
    return img;
}

std::optional<Image> read_png(const std::string &path, std::string *error) {
    png_image png{};
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&png, path.c_str())) return fail(error, path + ": " + png.message);
    // RGBA rather than RGB: libpng would composite an alpha channel onto a
    // background through linear light, which may move opaque values by one.
    png.format = PNG_FORMAT_RGBA;
    std::vector<unsigned char> rgba(PNG_IMAGE_SIZE(png));
    if (!png_image_finish_read(&png, nullptr, rgba.data(), 0, nullptr)) {
        std::string why = path + ": " + png.message;
        png_image_free(&png);
        return fail(error, why);
    }
    Image img;
    img.width = static_cast<int>(png.width);
    img.height = static_cast<int>(png.height);
    img.pixels.resize(size_t(png.width) * png.height);
    const unsigned char *p = rgba.data();
    for (auto &pixel : img.pixels) {
        pixel = (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
        p += 4;
    }
    return img;
}

std::optional<Image> read_xwd(const std::string &path, std::string *error) {
    auto data = slurp(path, error);
    if (!data) return std::nullopt;
    // XWDFile.h: 25 big-endian CARD32 header fields, then the window name,
    // then ncolors XWDColor entries (12 bytes each), then the pixels.
    constexpr size_t header_words = 25;
    if (data->size() < header_words * 4) return fail(error, path + ": truncated header");
    auto word = [&](size_t i) {
        auto *b = reinterpret_cast<const unsigned char *>(data->data() + i * 4);
        return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
    };
    const uint32_t header_size = word(0), version = word(1), format = word(2), width = word(4),
                   height = word(5), byte_order = word(7), bits_per_pixel = word(11), bytes_per_line = word(12),
                   red_mask = word(14), green_mask = word(15), blue_mask = word(16), ncolors = word(19);
    constexpr uint32_t zpixmap = 2, lsb_first = 0;
    if (version != 7 || format != zpixmap || (bits_per_pixel != 32 && bits_per_pixel != 24)) {
        return fail(error, path + ": unsupported XWD (version " + std::to_string(version) + ", " +
                               std::to_string(bits_per_pixel) + " bpp)");
    }
    size_t offset = header_size + size_t(ncolors) * 12;
    if (data->size() < offset + size_t(bytes_per_line) * height) return fail(error, path + ": truncated");
    auto channel = [](uint32_t pixel, uint32_t mask) {
        return mask == 0 ? 0u : ((pixel & mask) >> std::countr_zero(mask)) & 0xff;
    };
    Image img;
    img.width = static_cast<int>(width);
    img.height = static_cast<int>(height);
    img.pixels.resize(size_t(width) * height);
    const uint32_t bytes_pp = bits_per_pixel / 8;
    for (uint32_t y = 0; y < height; y++) {
        auto *row = reinterpret_cast<const unsigned char *>(data->data() + offset + size_t(y) * bytes_per_line);
        for (uint32_t x = 0; x < width; x++) {
            const unsigned char *b = row + x * bytes_pp;
            uint32_t pixel = 0;
            for (uint32_t i = 0; i < bytes_pp; i++) {
                uint32_t shift = byte_order == lsb_first ? 8 * i : 8 * (bytes_pp - 1 - i);
                pixel |= uint32_t(b[i]) << shift;
            }
            img.pixels[size_t(y) * width + x] = (channel(pixel, red_mask) << 16) |
                                                (channel(pixel, green_mask) << 8) | channel(pixel, blue_mask);
        }
    }
    return img;
}

ColourBox find_colour(const Image &image, uint32_t rgb) {
    ColourBox box;
    box.min_x = image.width;
    box.min_y = image.height;
    for (int y = 0; y < image.height; y++) {
        for (int x = 0; x < image.width; x++) {
            if (image.at(x, y) != rgb) continue;
            box.count++;
            box.min_x = std::min(box.min_x, x);
            box.max_x = std::max(box.max_x, x);
            box.min_y = std::min(box.min_y, y);
            box.max_y = std::max(box.max_y, y);
        }
    }
    return box;
}

} // namespace image
