package io.channelpush.push.bus;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;

/**
 * The stream configuration a {@link NatsBus} creates ({@link #configuration}) and what it accepts of a stream that
 * exists ({@link #check}): exactly the channel's subject, limits retention, file storage, discard old, acknowledged
 * publishes, neither sealed nor a mirror. Other limits and replicas are the cluster's choice: kept, and logged when
 * they differ from this node's settings. Stateless apart from the settings; thread-safe.
 */
final class NatsStreamSetup {
    private static final Logger LOG = Logger.getLogger(NatsStreams.class.getName());
    private static final int STREAM_NOT_FOUND = 10059;
    private static final int STREAM_NAME_IN_USE = 10058;
    /** Too few servers to place the replicas now: a cluster still forming, or a server down; asked again. */
    private static final int NO_SUITABLE_PEERS = 10005;

    private final NatsStreamSettings settings;

    NatsStreamSetup(NatsStreamSettings settings) {
        this.settings = settings;
    }

    /**
     * The stream's info, after creating the stream when it is missing.
     *
     * @throws StreamRefusedException when the stream cannot keep what an acknowledged publish promises
     */
    StreamInfo describe(JetStreamManagement jsm, NatsStreams.Stream s) throws IOException, JetStreamApiException {
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(s.name);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw e;
            }
            try {
                info = jsm.addStream(configuration(s));
                LOG.info(() -> "created JetStream stream " + s.name + " for " + s.subject + ": " + describe(settings));
            } catch (JetStreamApiException e2) {
                if (e2.getApiErrorCode() == NO_SUITABLE_PEERS) {
                    throw e2; // not a refusal: the caller retries while the cluster forms
                }
                if (e2.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw new StreamRefusedException("cannot create JetStream stream " + s.name + " for subject "
                            + s.subject + ": " + e2.getMessage() + ". Remove or change the stream that holds this "
                            + "subject (nats stream ls), or give this node's NATS user the right to create streams");
                }
                info = jsm.getStreamInfo(s.name); // another node created it meanwhile
            }
        }
        check(s, info.getConfiguration());
        return info;
    }

    StreamConfiguration configuration(NatsStreams.Stream s) {
        return StreamConfiguration.builder().name(s.name).subjects(s.subject)
                .description("Channel Push stream of channel " + s.channel)
                .retentionPolicy(RetentionPolicy.Limits).discardPolicy(DiscardPolicy.Old)
                .storageType(StorageType.File).replicas(settings.replicas())
                .maxMessages(settings.maxMessages()).maxBytes(settings.maxBytes()).maxAge(settings.maxAge())
                .duplicateWindow(settings.duplicateWindow()).build();
    }

    private static String describe(NatsStreamSettings s) {
        return s.maxMessages() + " messages, " + s.maxBytes() + " bytes, " + s.maxAge().toSeconds() + " s, "
                + s.replicas() + " replica(s)";
    }

    /** @throws StreamRefusedException when the stream cannot keep what an acknowledged publish promises */
    private void check(NatsStreams.Stream s, StreamConfiguration c) {
        String problem = null;
        if (!List.of(s.subject).equals(c.getSubjects())) {
            problem = "has subjects " + c.getSubjects() + " instead of exactly [" + s.subject + "]";
        } else if (c.getRetentionPolicy() != RetentionPolicy.Limits) {
            problem = "has retention " + c.getRetentionPolicy() + " instead of limits";
        } else if (c.getStorageType() != StorageType.File) {
            problem = "keeps its messages in " + c.getStorageType() + " instead of files (lost on a server restart)";
        } else if (c.getDiscardPolicy() != DiscardPolicy.Old) {
            problem = "discards new messages when full instead of old ones";
        } else if (c.getNoAck() || c.getSealed() || c.getMirror() != null) {
            problem = "does not acknowledge publishes, is sealed or is a mirror";
        }
        if (problem != null) {
            throw new StreamRefusedException("JetStream stream " + s.name + " " + problem + "; this node does not use "
                    + "it (publishes to " + s.channel + " answer 503). Fix it (nats stream edit " + s.name + ") or "
                    + "delete it (nats stream rm " + s.name + ": its messages are lost) so that the node creates it: "
                    + configuration(s).toJson());
        }
        if (c.getMaxMsgs() != settings.maxMessages() || c.getMaxBytes() != settings.maxBytes()
                || !settings.maxAge().equals(c.getMaxAge()) || c.getReplicas() != settings.replicas()) {
            LOG.info(() -> "JetStream stream " + s.name + " keeps " + c.getMaxMsgs() + " messages, "
                    + c.getMaxBytes() + " bytes, " + c.getMaxAge().toSeconds() + " s on " + c.getReplicas()
                    + " replica(s), not this node's settings (" + describe(settings) + "); kept as it is");
        }
    }

    /** A stream this node must not use, with what the operator should do. */
    static final class StreamRefusedException extends RuntimeException {
        StreamRefusedException(String message) {
            super(message);
        }
    }
}
