package io.planstream.ingest.generate;

/** A half-open pixel rectangle [x0, x1) x [y0, y1). */
record Rect(int x0, int y0, int x1, int y1) {

    Rect {
        if (x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("empty rectangle " + x0 + "," + y0 + " .. " + x1 + "," + y1);
        }
    }

    static Rect of(int x, int y, int width, int height) {
        return new Rect(x, y, x + width, y + height);
    }

    int width() {
        return x1 - x0;
    }

    int height() {
        return y1 - y0;
    }

    int area() {
        return width() * height();
    }

    Rect translate(int dx, int dy) {
        return new Rect(x0 + dx, y0 + dy, x1 + dx, y1 + dy);
    }

    /** Mirror within a frame of the given width: x becomes frameWidth - x. */
    Rect flipX(int frameWidth) {
        return new Rect(frameWidth - x1, y0, frameWidth - x0, y1);
    }

    Rect flipY(int frameHeight) {
        return new Rect(x0, frameHeight - y1, x1, frameHeight - y0);
    }

    /** Swap the axes. */
    Rect transpose() {
        return new Rect(y0, x0, y1, x1);
    }
}
