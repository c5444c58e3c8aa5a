package io.channelpush.push;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An executor that runs nothing until the test says so ({@link #runAll()}): what a session queues meanwhile stays
 * queued, as it would while its I/O thread is busy. Thread-safe.
 */
final class ManualExecutor implements Executor {
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs the tasks submitted so far and those they submit, on the calling thread. @return how many ran */
    int runAll() {
        int n = 0;
        while (true) {
            Runnable next;
            synchronized (this) {
                if (tasks.isEmpty()) {
                    return n;
                }
                next = tasks.remove(0);
            }
            next.run();
            n++;
        }
    }
}
