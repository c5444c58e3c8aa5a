package io.channelpush.push.publish;

import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.push.PushNode;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.PublishOutcomeUnknownException;
import io.channelpush.push.presence.Presence;
import io.channelpush.push.presence.ScatterGather;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The publisher's answers to what the bus did with a publish: {@code ok} once it acknowledged it, 503 when it
 * certainly did not take it, 504 when its fate is unknown (README, "Acknowledged publishes"), and the publish
 * reports. One per publisher (its rate-limited log). Thread-safe.
 */
final class PublishAnswers {
    private static final Logger LOG = Logger.getLogger(PublishAnswers.class.getName());
    private final PushNode node;
    private final RateLimitedLog busRefusals = new RateLimitedLog(LOG, Level.WARNING);

    PublishAnswers(PushNode node) {
        this.node = node;
    }

    /** An answer known at once. */
    static CompletableFuture<Publishing.Answer> now(Publishing.Answer a) {
        return CompletableFuture.completedFuture(a);
    }

    /**
     * Publishes {@code m} with the bus's acknowledgement: {@code ok} once the bus has it, 503 when it certainly
     * did not take it, 504 when its fate is unknown (README, "Acknowledged publishes"). Never blocks.
     */
    CompletableFuture<Publishing.Answer> acked(BusMessage m) {
        return node.publishAcked(m).handle((position, error) -> {
            if (error == null) {
                return Publishing.Answer.OK;
            }
            Throwable cause = error;
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof PublishOutcomeUnknownException u) {
                return outcomeUnknown(u);
            }
            if (cause instanceof BusUnavailableException b) {
                return busUnavailable(b);
            }
            LOG.warning(() -> "publish failed: " + error);
            return new Publishing.Answer(500, "the publish failed on this node: " + error);
        });
    }

    Publishing.Answer busUnavailable(BusUnavailableException e) {
        busRefusals.log(() -> "publish refused with 503: " + e.getMessage());
        return new Publishing.Answer(503, "the message bus did not take the message (it will not be delivered); try again "
                + "later", 1);
    }

    Publishing.Answer outcomeUnknown(PublishOutcomeUnknownException e) {
        busRefusals.log(() -> "publish answered 504: " + e.getMessage());
        return new Publishing.Answer(504, "the message bus did not confirm the message in time; it may still be delivered "
                + "(at most once)");
    }

    /**
     * Publishes {@code delivery} and answers with its publish report, waiting at most the presence wait.
     *
     * @throws BusUnavailableException when the bus refuses it
     */
    Publishing.Answer reported(BusMessage delivery) {
        try {
            return Publishing.Answer.json(node.publishReported(delivery));
        } catch (BusUnavailableException e) {
            return busUnavailable(e);
        } catch (PublishOutcomeUnknownException e) {
            return outcomeUnknown(e);
        } catch (ScatterGather.Full e) {
            return new Publishing.Answer(503, Presence.MAX_QUERIES_IN_FLIGHT + " presence queries and publish reports are in "
                    + "flight on this node already; try again later", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Publishing.Answer(503, "the node is stopping");
        }
    }

}
