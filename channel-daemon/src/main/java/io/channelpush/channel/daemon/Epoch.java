package io.channelpush.channel.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The epoch of a data folder: a string created with the folder and kept in its {@code epoch} file, so that a restart
 * on the same folder keeps it and a new or lost folder gets a new one. Stateless; not for concurrent use on one folder
 * (the {@link Streams} lock sees to that).
 */
final class Epoch {
    static final String FILE = "epoch";

    private Epoch() {
    }

    /**
     * The folder's epoch, or a new one written (synced) into it.
     *
     * @return the epoch, and whether it is new
     */
    static Loaded loadOrCreate(Path dataDir) throws IOException {
        Path f = dataDir.resolve(FILE);
        if (Files.exists(f)) {
            String e = Files.readString(f, StandardCharsets.US_ASCII).strip();
            if (!e.isEmpty() && e.length() <= 64) {
                return new Loaded(e, false);
            }
        }
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        String e = Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(random);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, e + "\n", StandardCharsets.US_ASCII);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // a file system that cannot sync a folder
        }
        return new Loaded(e, true);
    }

    record Loaded(String epoch, boolean created) {
    }
}
