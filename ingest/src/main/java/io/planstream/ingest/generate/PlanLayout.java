package io.planstream.ingest.generate;

import io.planstream.ingest.image.RoomCounts;
import io.planstream.ingest.image.Rplan;
import io.planstream.ingest.image.RplanCategory;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The geometry of one synthetic plan and its painting as an RPLAN raster.
 *
 * <p>A footprint (rectangle, L or T) is cut into rooms by recursive guillotine splits. Interior
 * walls are painted on both sides of every boundary between rooms and are inside the mask;
 * the exterior wall is a band just outside the footprint and, as in RPLAN itself, outside the
 * mask. Interior doors follow a spanning tree from the living room, so every room can be reached
 * from the front door.
 */
final class PlanLayout {

    static final int CANVAS = Rplan.SIZE;
    /** Keeps the exterior wall clear of the canvas edge. */
    static final int MARGIN = 8;
    static final int MIN_EXTENT = 140;
    static final int MAX_EXTENT = CANVAS - 2 * MARGIN;
    /** Exterior wall thickness, close to the 3 px of the RPLAN samples. */
    static final int EXTERIOR_WALL = 3;
    /** Interior walls reach this far either side of a room boundary: 4 px thick. */
    static final int WALL_REACH = 2;
    /** No room side is shorter, so walls can never swallow a room and every side fits a door. */
    static final int MIN_SIDE = 28;
    static final int DOOR = 14;
    /** Keeps doors off wall junctions. */
    static final int DOOR_MARGIN = 5;
    static final int FRONT_DOOR = 14;
    static final int FRONT_DOOR_MARGIN = 6;
    /** Layouts whose rooms cannot all be joined by doors are redrawn, at most this often. */
    static final int MAX_ATTEMPTS = 100;

    /** Categories that may fill rooms beyond the fixed living room, master room, bathroom and kitchen. */
    private static final RplanCategory[] EXTRA_ROOMS = {
        RplanCategory.SECOND_ROOM, RplanCategory.SECOND_ROOM, RplanCategory.SECOND_ROOM, RplanCategory.SECOND_ROOM,
        RplanCategory.CHILD_ROOM, RplanCategory.CHILD_ROOM,
        RplanCategory.BALCONY, RplanCategory.BALCONY, RplanCategory.BALCONY,
        RplanCategory.BATHROOM, RplanCategory.BATHROOM,
        RplanCategory.STORAGE, RplanCategory.STORAGE,
        RplanCategory.STUDY_ROOM, RplanCategory.DINING_ROOM, RplanCategory.GUEST_ROOM,
    };
    /** Largest first: the biggest rectangles become living and master rooms, the smallest storage. */
    private static final List<RplanCategory> BY_TYPICAL_SIZE = List.of(
            RplanCategory.LIVING_ROOM, RplanCategory.MASTER_ROOM, RplanCategory.DINING_ROOM,
            RplanCategory.SECOND_ROOM, RplanCategory.CHILD_ROOM, RplanCategory.GUEST_ROOM,
            RplanCategory.STUDY_ROOM, RplanCategory.KITCHEN, RplanCategory.BALCONY,
            RplanCategory.BATHROOM, RplanCategory.STORAGE);

    record Room(Rect rect, RplanCategory category, int instance) {
    }

    private final Outline outline;
    private final List<Room> rooms;
    private final List<Rect> interiorDoors;
    private final Rect frontDoor;

    private PlanLayout(Outline outline, List<Room> rooms, List<Rect> interiorDoors, Rect frontDoor) {
        this.outline = outline;
        this.rooms = List.copyOf(rooms);
        this.interiorDoors = List.copyOf(interiorDoors);
        this.frontDoor = frontDoor;
    }

    Outline outline() {
        return outline;
    }

    List<Room> rooms() {
        return rooms;
    }

    RoomCounts roomCounts() {
        EnumMap<RplanCategory, Integer> counts = new EnumMap<>(RplanCategory.class);
        rooms.forEach(room -> counts.merge(room.category(), 1, Integer::sum));
        return new RoomCounts(counts);
    }

    /** Draws layouts from {@code random} until one connects all its rooms. */
    static PlanLayout draw(SplittableRandom random, int minRooms, int maxRooms) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<PlanLayout> layout = tryDraw(random, minRooms, maxRooms);
            if (layout.isPresent()) {
                return layout.get();
            }
        }
        throw new IllegalStateException("no layout with " + minRooms + ".." + maxRooms
                + " connected rooms after " + MAX_ATTEMPTS + " attempts");
    }

    private static Optional<PlanLayout> tryDraw(SplittableRandom random, int minRooms, int maxRooms) {
        Outline outline = Outline.values()[random.nextInt(Outline.values().length)];
        List<Rect> leaves = new ArrayList<>(footprint(outline, random));
        int target = random.nextInt(minRooms, maxRooms + 1);
        while (leaves.size() < target) {
            if (!split(leaves, random)) {
                break;
            }
        }
        if (leaves.size() < minRooms) {
            return Optional.empty();
        }
        List<Room> rooms = assignRooms(leaves, random);
        Optional<List<Rect>> doors = connect(rooms, random);
        if (doors.isEmpty()) {
            return Optional.empty();
        }
        return frontDoor(rooms, random).map(front -> new PlanLayout(outline, rooms, doors.get(), front));
    }

    /** The footprint as disjoint rectangles, in a random orientation and position on the canvas. */
    private static List<Rect> footprint(Outline outline, SplittableRandom random) {
        int w = random.nextInt(MIN_EXTENT, MAX_EXTENT + 1);
        int h = random.nextInt(MIN_EXTENT, MAX_EXTENT + 1);
        List<Rect> local = switch (outline) {
            case RECTANGLE -> List.of(Rect.of(0, 0, w, h));
            case L_SHAPE -> {
                // Cut the top-right corner; the orientation below moves the cut to any corner.
                int cutW = random.nextInt(w / 4, w / 2 + 1);
                int cutH = random.nextInt(h / 4, h / 2 + 1);
                yield List.of(Rect.of(0, cutH, w, h - cutH), Rect.of(0, 0, w - cutW, cutH));
            }
            case T_SHAPE -> {
                // A bar along the top and a wing below it, off-centre by at most a quarter of the slack.
                int barH = random.nextInt(2 * h / 5, 3 * h / 5 + 1);
                int wingW = random.nextInt(2 * w / 5, 3 * w / 5 + 1);
                int slack = w - wingW;
                int wingX = slack / 2 + random.nextInt(-slack / 4, slack / 4 + 1);
                yield List.of(Rect.of(0, 0, w, barH), Rect.of(wingX, barH, wingW, h - barH));
            }
        };
        boolean transpose = random.nextBoolean();
        boolean flipX = random.nextBoolean();
        boolean flipY = random.nextBoolean();
        int frameW = transpose ? h : w;
        int frameH = transpose ? w : h;
        int dx = random.nextInt(MARGIN, CANVAS - MARGIN - frameW + 1);
        int dy = random.nextInt(MARGIN, CANVAS - MARGIN - frameH + 1);
        List<Rect> placed = new ArrayList<>();
        for (Rect rect : local) {
            Rect r = transpose ? rect.transpose() : rect;
            r = flipX ? r.flipX(frameW) : r;
            r = flipY ? r.flipY(frameH) : r;
            placed.add(r.translate(dx, dy));
        }
        return placed;
    }

    /** Splits one leaf, chosen with probability proportional to its area; false when none can be split. */
    private static boolean split(List<Rect> leaves, SplittableRandom random) {
        long splittableArea = 0;
        for (Rect leaf : leaves) {
            if (canSplit(leaf)) {
                splittableArea += leaf.area();
            }
        }
        if (splittableArea == 0) {
            return false;
        }
        long pick = random.nextLong(splittableArea);
        for (int i = 0; i < leaves.size(); i++) {
            Rect leaf = leaves.get(i);
            if (!canSplit(leaf)) {
                continue;
            }
            if (pick >= leaf.area()) {
                pick -= leaf.area();
                continue;
            }
            boolean alongX = chooseSplitAxis(leaf, random);
            int extent = alongX ? leaf.width() : leaf.height();
            int lo = Math.max(MIN_SIDE, (int) Math.round(0.3 * extent));
            int hi = Math.min(extent - MIN_SIDE, (int) Math.round(0.7 * extent));
            int cut = random.nextInt(lo, hi + 1);
            leaves.remove(i);
            if (alongX) {
                leaves.add(i, new Rect(leaf.x0(), leaf.y0(), leaf.x0() + cut, leaf.y1()));
                leaves.add(i + 1, new Rect(leaf.x0() + cut, leaf.y0(), leaf.x1(), leaf.y1()));
            } else {
                leaves.add(i, new Rect(leaf.x0(), leaf.y0(), leaf.x1(), leaf.y0() + cut));
                leaves.add(i + 1, new Rect(leaf.x0(), leaf.y0() + cut, leaf.x1(), leaf.y1()));
            }
            return true;
        }
        throw new IllegalStateException("area pick " + pick + " fell outside the splittable leaves");
    }

    private static boolean canSplit(Rect leaf) {
        return leaf.width() >= 2 * MIN_SIDE || leaf.height() >= 2 * MIN_SIDE;
    }

    /** True to cut across x. Mostly across the longer side, so rooms stay roughly square. */
    private static boolean chooseSplitAxis(Rect leaf, SplittableRandom random) {
        boolean canX = leaf.width() >= 2 * MIN_SIDE;
        boolean canY = leaf.height() >= 2 * MIN_SIDE;
        if (canX != canY) {
            return canX;
        }
        boolean longerIsX = leaf.width() >= leaf.height();
        return random.nextInt(5) == 0 ? !longerIsX : longerIsX;
    }

    /**
     * Picks categories for the leaves and pairs them by size, largest first, so the living room
     * is always {@code rooms.get(0)}. Instance ids are a shuffle of 1..n: unique across the plan,
     * as in RPLAN, and in no particular order.
     */
    private static List<Room> assignRooms(List<Rect> leaves, SplittableRandom random) {
        int n = leaves.size();
        List<RplanCategory> categories = new ArrayList<>(List.of(
                RplanCategory.LIVING_ROOM, RplanCategory.MASTER_ROOM, RplanCategory.BATHROOM));
        if (n >= 4) {
            categories.add(RplanCategory.KITCHEN);
        }
        while (categories.size() < n) {
            categories.add(EXTRA_ROOMS[random.nextInt(EXTRA_ROOMS.length)]);
        }
        categories.sort(Comparator.comparingInt(BY_TYPICAL_SIZE::indexOf));
        List<Rect> bySize = new ArrayList<>(leaves);
        // List.sort is stable, so equal areas keep their (deterministic) split order.
        bySize.sort(Comparator.comparingInt(Rect::area).reversed());
        List<Integer> instances = new ArrayList<>(IntStream.rangeClosed(1, n).boxed().toList());
        Collections.shuffle(instances, random);
        List<Room> rooms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rooms.add(new Room(bySize.get(i), categories.get(i), instances.get(i)));
        }
        return rooms;
    }

    /**
     * One door per edge of a spanning tree grown from the living room (rooms.get(0)) over the
     * boundaries long enough for a door; empty when some room cannot be reached.
     */
    private static Optional<List<Rect>> connect(List<Room> rooms, SplittableRandom random) {
        int n = rooms.size();
        List<List<Integer>> neighbours = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            neighbours.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (doorway(rooms.get(i).rect(), rooms.get(j).rect()).isPresent()) {
                    neighbours.get(i).add(j);
                    neighbours.get(j).add(i);
                }
            }
        }
        boolean[] reached = new boolean[n];
        List<Rect> doors = new ArrayList<>();
        Deque<Integer> queue = new ArrayDeque<>();
        reached[0] = true;
        queue.add(0);
        while (!queue.isEmpty()) {
            int room = queue.poll();
            List<Integer> next = new ArrayList<>(neighbours.get(room));
            Collections.shuffle(next, random);
            for (int other : next) {
                if (!reached[other]) {
                    reached[other] = true;
                    queue.add(other);
                    Doorway way = doorway(rooms.get(room).rect(), rooms.get(other).rect()).orElseThrow();
                    doors.add(way.door(random));
                }
            }
        }
        for (boolean r : reached) {
            if (!r) {
                return Optional.empty();
            }
        }
        return Optional.of(doors);
    }

    /**
     * A stretch of boundary shared by two rooms: {@code along} is the coordinate of the boundary
     * line, [from, to) its extent along the other axis.
     */
    private record Doorway(boolean vertical, int along, int from, int to) {

        /** A door rectangle through the full wall thickness, clear of the stretch's ends. */
        Rect door(SplittableRandom random) {
            int start = from + DOOR_MARGIN + random.nextInt(to - from - DOOR - 2 * DOOR_MARGIN + 1);
            return vertical
                    ? new Rect(along - WALL_REACH, start, along + WALL_REACH, start + DOOR)
                    : new Rect(start, along - WALL_REACH, start + DOOR, along + WALL_REACH);
        }
    }

    private static Optional<Doorway> doorway(Rect a, Rect b) {
        Doorway way = null;
        if (a.x1() == b.x0() || b.x1() == a.x0()) {
            int along = a.x1() == b.x0() ? a.x1() : a.x0();
            way = new Doorway(true, along, Math.max(a.y0(), b.y0()), Math.min(a.y1(), b.y1()));
        } else if (a.y1() == b.y0() || b.y1() == a.y0()) {
            int along = a.y1() == b.y0() ? a.y1() : a.y0();
            way = new Doorway(false, along, Math.max(a.x0(), b.x0()), Math.min(a.x1(), b.x1()));
        }
        if (way == null || way.to() - way.from() < DOOR + 2 * DOOR_MARGIN) {
            return Optional.empty();
        }
        return Optional.of(way);
    }

    /**
     * The front door: on an outside side of the living room where there is one, else of the first
     * room (largest first) that has one. Returns the exterior-wall pixels it replaces.
     */
    private static Optional<Rect> frontDoor(List<Room> rooms, SplittableRandom random) {
        boolean[] inside = new boolean[CANVAS * CANVAS];
        for (Room room : rooms) {
            fill(inside, room.rect());
        }
        for (Room room : rooms) {
            List<Rect> candidates = outsideStretches(room.rect(), inside);
            if (!candidates.isEmpty()) {
                Rect stretch = candidates.get(random.nextInt(candidates.size()));
                return Optional.of(frontDoorIn(stretch, room.rect(), random));
            }
        }
        return Optional.empty();
    }

    /**
     * Runs of the room's sides that face the outside and are long enough for the front door, each
     * as the one-pixel-thick line of outside pixels along it.
     */
    private static List<Rect> outsideStretches(Rect room, boolean[] inside) {
        List<Rect> stretches = new ArrayList<>();
        // top, bottom: scan x along the row just outside; left, right: scan y along the column.
        int[][] sides = {
            {room.x0(), room.x1(), room.y0() - 1, 0}, {room.x0(), room.x1(), room.y1(), 0},
            {room.y0(), room.y1(), room.x0() - 1, 1}, {room.y0(), room.y1(), room.x1(), 1},
        };
        for (int[] side : sides) {
            boolean scanX = side[3] == 0;
            int runStart = -1;
            for (int t = side[0]; t <= side[1]; t++) {
                boolean outside = t < side[1] && !(scanX ? isInside(inside, t, side[2]) : isInside(inside, side[2], t));
                if (outside && runStart < 0) {
                    runStart = t;
                } else if (!outside && runStart >= 0) {
                    if (t - runStart >= FRONT_DOOR + 2 * FRONT_DOOR_MARGIN) {
                        stretches.add(scanX ? new Rect(runStart, side[2], t, side[2] + 1)
                                : new Rect(side[2], runStart, side[2] + 1, t));
                    }
                    runStart = -1;
                }
            }
        }
        return stretches;
    }

    /** The front door spans the exterior wall's full thickness, outward from the room's side. */
    private static Rect frontDoorIn(Rect stretch, Rect room, SplittableRandom random) {
        if (stretch.height() == 1) {
            int start = stretch.x0() + FRONT_DOOR_MARGIN
                    + random.nextInt(stretch.width() - FRONT_DOOR - 2 * FRONT_DOOR_MARGIN + 1);
            int y0 = stretch.y0() < room.y0() ? room.y0() - EXTERIOR_WALL : room.y1();
            return new Rect(start, y0, start + FRONT_DOOR, y0 + EXTERIOR_WALL);
        }
        int start = stretch.y0() + FRONT_DOOR_MARGIN
                + random.nextInt(stretch.height() - FRONT_DOOR - 2 * FRONT_DOOR_MARGIN + 1);
        int x0 = stretch.x0() < room.x0() ? room.x0() - EXTERIOR_WALL : room.x1();
        return new Rect(x0, start, x0 + EXTERIOR_WALL, start + FRONT_DOOR);
    }

    /** Paints the layout as a 256x256 four-channel RPLAN raster. */
    BufferedImage paint() {
        int[] label = new int[CANVAS * CANVAS];
        Arrays.fill(label, -1);
        for (int k = 0; k < rooms.size(); k++) {
            Rect r = rooms.get(k).rect();
            for (int y = r.y0(); y < r.y1(); y++) {
                Arrays.fill(label, y * CANVAS + r.x0(), y * CANVAS + r.x1(), k);
            }
        }
        int[] category = new int[CANVAS * CANVAS];
        Arrays.fill(category, RplanCategory.EXTERNAL_AREA.id());
        for (int y = 0; y < CANVAS; y++) {
            for (int x = 0; x < CANVAS; x++) {
                int p = y * CANVAS + x;
                if (label[p] >= 0) {
                    category[p] = isInteriorWall(label, x, y)
                            ? RplanCategory.INTERIOR_WALL.id()
                            : rooms.get(label[p]).category().id();
                } else if (nearInside(label, x, y)) {
                    category[p] = RplanCategory.EXTERIOR_WALL.id();
                }
            }
        }
        for (Rect door : interiorDoors) {
            repaint(category, door, RplanCategory.INTERIOR_WALL, RplanCategory.INTERIOR_DOOR);
        }
        repaint(category, frontDoor, RplanCategory.EXTERIOR_WALL, RplanCategory.FRONT_DOOR);

        BufferedImage image = new BufferedImage(CANVAS, CANVAS, BufferedImage.TYPE_4BYTE_ABGR);
        WritableRaster raster = image.getRaster();
        int[] row = new int[CANVAS * 4];
        for (int y = 0; y < CANVAS; y++) {
            for (int x = 0; x < CANVAS; x++) {
                int p = y * CANVAS + x;
                int c = category[p];
                int i = x * 4;
                row[i + Rplan.BOUNDARY_BAND] = c == RplanCategory.EXTERIOR_WALL.id() ? Rplan.BOUNDARY_EXTERIOR_WALL
                        : c == RplanCategory.FRONT_DOOR.id() ? Rplan.BOUNDARY_FRONT_DOOR : Rplan.BOUNDARY_NONE;
                row[i + Rplan.CATEGORY_BAND] = c;
                row[i + Rplan.INSTANCE_BAND] = c <= RplanCategory.WALL_IN.id() ? rooms.get(label[p]).instance() : 0;
                row[i + Rplan.INSIDE_BAND] = label[p] >= 0 ? Rplan.INSIDE : Rplan.OUTSIDE;
            }
            raster.setPixels(0, y, CANVAS, 1, row);
        }
        return image;
    }

    /** Pixels inside the mask: rooms plus interior walls and doors. */
    int area() {
        return rooms.stream().mapToInt(room -> room.rect().area()).sum();
    }

    /** Within {@link #WALL_REACH} (straight along x or y) of a pixel of another room. */
    private static boolean isInteriorWall(int[] label, int x, int y) {
        int own = label[y * CANVAS + x];
        for (int d = -WALL_REACH; d <= WALL_REACH; d++) {
            if (differentRoom(label, own, x + d, y) || differentRoom(label, own, x, y + d)) {
                return true;
            }
        }
        return false;
    }

    private static boolean differentRoom(int[] label, int own, int x, int y) {
        if (x < 0 || y < 0 || x >= CANVAS || y >= CANVAS) {
            return false;
        }
        int other = label[y * CANVAS + x];
        return other >= 0 && other != own;
    }

    /** Within {@link #EXTERIOR_WALL} pixels (Chebyshev distance) of the inside. */
    private static boolean nearInside(int[] label, int x, int y) {
        for (int dy = -EXTERIOR_WALL; dy <= EXTERIOR_WALL; dy++) {
            for (int dx = -EXTERIOR_WALL; dx <= EXTERIOR_WALL; dx++) {
                int nx = x + dx;
                int ny = y + dy;
                if (nx >= 0 && ny >= 0 && nx < CANVAS && ny < CANVAS && label[ny * CANVAS + nx] >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void repaint(int[] category, Rect rect, RplanCategory from, RplanCategory to) {
        for (int y = rect.y0(); y < rect.y1(); y++) {
            for (int x = rect.x0(); x < rect.x1(); x++) {
                int p = y * CANVAS + x;
                if (category[p] == from.id()) {
                    category[p] = to.id();
                }
            }
        }
    }

    private static void fill(boolean[] grid, Rect rect) {
        for (int y = rect.y0(); y < rect.y1(); y++) {
            Arrays.fill(grid, y * CANVAS + rect.x0(), y * CANVAS + rect.x1(), true);
        }
    }

    private static boolean isInside(boolean[] inside, int x, int y) {
        return x >= 0 && y >= 0 && x < CANVAS && y < CANVAS && inside[y * CANVAS + x];
    }
}
