#include "popup.hpp"

#include "seat.hpp"

namespace planar {

Popup::Popup(Seat &seat, wlr_xdg_surface *popup) {
    on_map_.connect(&popup->events.map, [&seat, popup](void *) { seat.popup_mapped(popup->popup); });
    on_unmap_.connect(&popup->events.unmap, [&seat, popup](void *) { seat.popup_unmapped(popup->popup); });
    on_destroy_.connect(&popup->events.destroy, [this](void *) { delete this; });
}

} // namespace planar
