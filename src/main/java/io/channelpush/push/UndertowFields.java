package io.channelpush.push;

import java.lang.reflect.Field;

/**
 * Reaches a private field of one of Undertow's connection classes, for {@link ParserBuffers} and
 * {@link HandshakeRelease}: the fields they clear have no public API. Stateless; thread-safe.
 */
final class UndertowFields {
    private UndertowFields() {
    }

    /** The field {@code name} declared by {@code type} or a superclass, made accessible. */
    static Field find(Class<?> type, String name) throws NoSuchFieldException {
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
