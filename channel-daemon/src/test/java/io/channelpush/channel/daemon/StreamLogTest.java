package io.channelpush.channel.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.TestData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The stream store without sockets: append, read back, roll, retention, recovery after a crash, the epoch. */
class StreamLogTest {
    private static final StreamLog.Retention ROOMY = new StreamLog.Retention(1_000_000, 1L << 30, 3_600_000);

    private static byte[] data(long i) {
        return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void appendReturnsConsecutiveOffsetsFromOneAndReadsTheBytesBack() throws IOException {
        Path dir = TestData.freshDir();
        try (StreamLog log = StreamLog.open("b", dir, ROOMY, 1 << 20)) {
            assertEquals(0, log.lastOffset());
            for (long i = 1; i <= 100; i++) {
                assertEquals(i, log.append(data(i), 1000 + i));
            }
            for (long i = 1; i <= 100; i++) {
                assertArrayEquals(data(i), log.read(i));
            }
            assertEquals(1, log.firstOffset());
            assertEquals(100, log.lastOffset());
        }
    }

    @Test
    void rollsSegmentsAndDeletesWholeOldOnesPastTheCountBound() throws IOException {
        Path dir = TestData.freshDir();
        StreamLog.Retention r = new StreamLog.Retention(16, 1L << 30, 3_600_000); // segments of 2 messages
        try (StreamLog log = StreamLog.open("b", dir, r, 1 << 20)) {
            for (long i = 1; i <= 41; i++) {
                log.append(data(i), System.currentTimeMillis());
            }
            assertTrue(log.retainedMessages() <= 16, "kept " + log.retainedMessages());
            assertTrue(log.retainedMessages() >= 14, "kept " + log.retainedMessages());
            assertEquals(41, log.lastOffset());
            assertEquals(41 - log.retainedMessages() + 1, log.firstOffset());
            assertArrayEquals(data(log.firstOffset()), log.read(log.firstOffset()));
            assertArrayEquals(data(41), log.read(41));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(log.segmentCount(), files.count(), "deleted segments are gone from the disk");
            }
        }
    }

    @Test
    void deletesSegmentsPastTheByteBoundAndTheAgeBound() throws IOException {
        Path dir = TestData.freshDir();
        byte[] kb = new byte[1000];
        java.util.Arrays.fill(kb, (byte) '1');
        StreamLog.Retention r = new StreamLog.Retention(1_000_000, 80_000, 60_000); // 10 kB segments
        try (StreamLog log = StreamLog.open("b", dir, r, 1 << 20)) {
            for (int i = 0; i < 200; i++) {
                log.append(kb, 1_000);
            }
            assertTrue(log.retainedBytes() <= 80_000, "kept " + log.retainedBytes() + " bytes");
            assertTrue(log.retainedBytes() >= 60_000, "kept " + log.retainedBytes() + " bytes");
            log.enforceRetention(1_000 + 60_001);
            assertEquals(1, log.segmentCount(), "everything but the segment appended to is past the age bound");
            assertEquals(200, log.lastOffset());
        }
    }

    @Test
    void reopeningCutsOffATornLastRecordAndContinuesTheOffsets() throws IOException {
        Path dir = TestData.freshDir();
        try (StreamLog log = StreamLog.open("b", dir, ROOMY, 1 << 20)) {
            for (long i = 1; i <= 5; i++) {
                log.append(data(i), 1);
            }
        }
        Path segment = Segment.fileFor(dir, 1);
        long intact = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(intact);
            f.write(new byte[] {0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 6, 1, 2}); // what a kill -9 mid-write leaves
        }
        try (StreamLog log = StreamLog.open("b", dir, ROOMY, 1 << 20)) {
            assertEquals(5, log.lastOffset());
            assertEquals(intact, Files.size(segment));
            assertEquals(6, log.append(data(6), 2));
            assertArrayEquals(data(6), log.read(6));
            assertArrayEquals(data(5), log.read(5));
        }
    }

    @Test
    void reopeningDropsALastRecordWhoseChecksumIsWrong() throws IOException {
        Path dir = TestData.freshDir();
        try (StreamLog log = StreamLog.open("b", dir, ROOMY, 1 << 20)) {
            for (long i = 1; i <= 3; i++) {
                log.append(data(i), 1);
            }
        }
        Path segment = Segment.fileFor(dir, 1);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(f.length() - 6); // inside the last record's data
            f.write('x');
        }
        try (StreamLog log = StreamLog.open("b", dir, ROOMY, 1 << 20)) {
            assertEquals(2, log.lastOffset());
            assertEquals(3, log.append(data(3), 1));
        }
    }

    @Test
    void aRestartOnTheSameFolderKeepsTheEpochAndOffsetsAndANewFolderGetsANewEpoch() throws IOException {
        Path dir = TestData.freshDir();
        DaemonConfig config = DaemonConfig.defaults().withDataDir(dir);
        String epoch;
        try (Streams s = Streams.open(config)) {
            epoch = s.epoch();
            s.log("b").append(data(1), 1);
            s.log("b").append(data(2), 1);
        }
        try (Streams s = Streams.open(config)) {
            assertEquals(epoch, s.epoch());
            assertEquals(3, s.log("b").append(data(3), 1));
            assertEquals(null, s.log("news"), "only --stream-channels are streams");
        }
        try (Streams s = Streams.open(DaemonConfig.defaults().withDataDir(TestData.freshDir()))) {
            assertNotEquals(epoch, s.epoch());
            assertEquals(1, s.log("b").append(data(1), 1));
        }
    }

    @Test
    void logsWithoutTheirEpochFileStartANewEpochFromOffsetOne() throws IOException {
        Path dir = TestData.freshDir();
        DaemonConfig config = DaemonConfig.defaults().withDataDir(dir);
        String epoch;
        try (Streams s = Streams.open(config)) {
            epoch = s.epoch();
            s.log("g").append(data(1), 1);
        }
        Files.delete(dir.resolve(Epoch.FILE));
        try (Streams s = Streams.open(config)) {
            assertNotEquals(epoch, s.epoch());
            assertEquals(0, s.log("g").lastOffset());
        }
    }

    @Test
    void aSecondDaemonOnTheSameFolderIsRefused() throws IOException {
        DaemonConfig config = DaemonConfig.defaults().withDataDir(TestData.freshDir());
        try (Streams s = Streams.open(config)) {
            IOException e = assertThrows(IOException.class, () -> Streams.open(config));
            assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        }
    }

    @Test
    void fsyncAlwaysFlushesOnCommit() throws IOException {
        DaemonConfig config = DaemonConfig.defaults().withStreams(StreamSettings.defaults()
                .withDataDir(TestData.freshDir()).withFsync(true, Duration.ofSeconds(1)).withChannels(List.of("b")));
        try (Streams s = Streams.open(config)) {
            s.log("b").append(data(1), 1);
            s.appended(s.log("b"));
            assertTrue(s.hasUncommitted());
            s.commit();
            assertTrue(!s.hasUncommitted());
        }
    }

    @Test
    void afterAFailedFlushAppendsAreRefusedUntilAFlushSucceeds() throws IOException {
        try (StreamLog log = StreamLog.open("b", TestData.freshDir(), ROOMY, 1 << 20)) {
            assertEquals(1, log.append(data(1), 1000));
            log.flushed(new IOException("Input/output error"));
            IOException refused = assertThrows(IOException.class, () -> log.append(data(2), 1001));
            assertTrue(refused.getMessage().contains("flush") && refused.getMessage().contains("Input/output error"),
                    refused.getMessage());
            assertEquals(1, log.lastOffset(), "a refused append takes no offset");
            log.writePending();
            log.force(); // the disk takes it again
            assertEquals(2, log.append(data(2), 1002));
            assertArrayEquals(data(2), log.read(2));
        }
    }
}
