package io.channelpush.push;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaches private fields of Undertow's connection classes, for {@link ParserBuffers} and {@link HandshakeRelease}:
 * the fields they clear have no public API. Each (class, name) is looked up once and kept: a lookup walks the
 * class hierarchy with {@code getDeclaredField}, which throws (and fills a stack trace) for every class that does
 * not declare the field, and was about 4 % of a node's CPU per handshake when done for every upgrade. One
 * instance per user (a deployment's); the classes looked up are a handful. Thread-safe.
 */
final class UndertowFields {
    private record Key(Class<?> type, String name) {
    }

    private final Map<Key, Field> found = new ConcurrentHashMap<>();

    /** The field {@code name} declared by {@code type} or a superclass, made accessible. */
    Field find(Class<?> type, String name) throws NoSuchFieldException {
        Key key = new Key(type, name);
        Field f = found.get(key);
        if (f == null) {
            f = lookUp(type, name);
            found.put(key, f);
        }
        return f;
    }

    /** The value of field {@code name} of {@code target}. */
    Object get(Object target, String name) throws ReflectiveOperationException {
        return find(target.getClass(), name).get(target);
    }

    /** Sets field {@code name} of {@code target} to null. */
    void clear(Object target, String name) throws ReflectiveOperationException {
        find(target.getClass(), name).set(target, null);
    }

    private static Field lookUp(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}
