#!/usr/bin/python3
# A GTK 3 window with a modal dialog (xdg_toplevel.set_parent), for the
# transient-window test in test_real_clients.cpp. Runs until killed.
import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

parent = Gtk.Window(title="planar-parent")
parent.set_default_size(600, 400)
parent.connect("destroy", Gtk.main_quit)
parent.show_all()


def open_dialog():
    dialog = Gtk.Dialog(title="planar-dialog", transient_for=parent, modal=True)
    dialog.set_default_size(200, 120)
    dialog.get_content_area().add(Gtk.Label(label="a dialog over its parent"))
    dialog.show_all()
    return False


# Once the parent is on screen, as a dialog opened by a user would be.
GLib.timeout_add(700, open_dialog)
Gtk.main()
