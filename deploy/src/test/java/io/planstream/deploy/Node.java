package io.planstream.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of parsed YAML that knows where it is ({@code embedder.yaml:spec.template...}), so a
 * missing key fails with the path a reader can look up instead of a NullPointerException.
 */
final class Node {

    private final Object value;
    private final String path;

    private Node(Object value, String path) {
        this.value = value;
        this.path = path;
    }

    static Node of(Object value, String path) {
        return new Node(value, path);
    }

    String path() {
        return path;
    }

    Object raw() {
        return value;
    }

    boolean isMap() {
        return value instanceof Map<?, ?>;
    }

    boolean isList() {
        return value instanceof List<?>;
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> m && m.get(key) != null;
    }

    Node get(String key) {
        return opt(key).orElseThrow(() -> new AssertionError(path + "." + key + " is missing"));
    }

    Optional<Node> opt(String key) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new AssertionError(path + " should be a mapping, is " + describe(value));
        }
        Object v = m.get(key);
        return v == null ? Optional.empty() : Optional.of(new Node(v, path + "." + key));
    }

    /** The items of the list under {@code key}; none where the key is absent. */
    List<Node> list(String key) {
        return opt(key).map(Node::items).orElse(List.of());
    }

    List<Node> items() {
        if (!(value instanceof List<?> l)) {
            throw new AssertionError(path + " should be a list, is " + describe(value));
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add(new Node(l.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    Map<String, Node> entries() {
        if (!(value instanceof Map<?, ?> m)) {
            throw new AssertionError(path + " should be a mapping, is " + describe(value));
        }
        Map<String, Node> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), new Node(v, path + "." + k)));
        return out;
    }

    /** A scalar as the text a tool would see: numbers and booleans as YAML wrote them. */
    String text() {
        if (value instanceof Map<?, ?> || value instanceof List<?> || value == null) {
            throw new AssertionError(path + " should be a scalar, is " + describe(value));
        }
        return String.valueOf(value);
    }

    int integer() {
        try {
            return Integer.parseInt(text().trim());
        } catch (NumberFormatException e) {
            throw new AssertionError(path + " should be an integer, is '" + text() + "'");
        }
    }

    /** The list item whose {@code key} is {@code wanted} (a container by name, an env var by name). */
    Node item(String key, String wanted) {
        return items().stream().filter(n -> n.has(key) && n.get(key).text().equals(wanted)).findFirst()
                .orElseThrow(() -> new AssertionError(path + " has no item with " + key + " = " + wanted));
    }

    private static String describe(Object v) {
        return v == null ? "absent" : v.getClass().getSimpleName() + " " + v;
    }

    @Override
    public String toString() {
        return path + " = " + value;
    }
}
