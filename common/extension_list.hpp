// EGL and GL list their extensions as one space-separated string; a name
// matches only as a whole word (EGL_KHR_fence_sync is not in
// "EGL_KHR_fence_sync2"). Header-only: planar and the sample clients use it.
#pragma once

#include <cstring>

inline bool has_extension(const char *list, const char *name) {
    if (list == nullptr) return false;
    size_t len = strlen(name);
    for (const char *at = list; (at = strstr(at, name)) != nullptr; at += len) {
        if ((at == list || at[-1] == ' ') && (at[len] == ' ' || at[len] == '\0')) return true;
    }
    return false;
}
