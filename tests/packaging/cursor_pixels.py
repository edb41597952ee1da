#!/usr/bin/env python3
"""Prints how many pixels of the X server's current mouse pointer are not
fully transparent (XFixesGetCursorImage on $DISPLAY): 0 means no pointer is
shown where the pointer is."""
import ctypes


class CursorImage(ctypes.Structure):  # XFixesCursorImage, Xfixes.h (version >= 2)
    _fields_ = [
        ("x", ctypes.c_short), ("y", ctypes.c_short),
        ("width", ctypes.c_ushort), ("height", ctypes.c_ushort),
        ("xhot", ctypes.c_ushort), ("yhot", ctypes.c_ushort),
        ("cursor_serial", ctypes.c_ulong),
        ("pixels", ctypes.POINTER(ctypes.c_ulong)),
        ("atom", ctypes.c_ulong), ("name", ctypes.c_char_p),
    ]


def main():
    x11 = ctypes.CDLL("libX11.so.6")
    xfixes = ctypes.CDLL("libXfixes.so.3")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xfixes.XFixesQueryVersion.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                          ctypes.POINTER(ctypes.c_int)]
    xfixes.XFixesGetCursorImage.restype = ctypes.POINTER(CursorImage)
    xfixes.XFixesGetCursorImage.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        raise SystemExit("cannot open the display")
    major, minor = ctypes.c_int(), ctypes.c_int()
    if not xfixes.XFixesQueryVersion(display, ctypes.byref(major), ctypes.byref(minor)):
        raise SystemExit("no XFIXES")
    image = xfixes.XFixesGetCursorImage(display)
    if not image:
        raise SystemExit("no cursor image")
    img = image.contents
    print(sum(1 for i in range(img.width * img.height) if (img.pixels[i] >> 24) & 0xFF))


if __name__ == "__main__":
    main()
