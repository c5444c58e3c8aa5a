package io.channelpush.chaos;

/** What a publisher's HTTP request was answered, and what that allows the clients to receive. */
enum Outcome {
    /** 200 ok: the bus has it; every subscribed client must get it exactly once. */
    OK("ok"),
    /** 503: certainly not taken; nobody may get it. */
    UNAVAILABLE("503"),
    /** 504: fate unknown; each client may get it at most once. */
    UNKNOWN("504"),
    /** The connection to the node was refused: the request never arrived; nobody may get it. */
    NOT_SENT("refused"),
    /** Sent, but no answer (the node died, or the request timed out): at most once, like a 504. */
    NO_ANSWER("no answer"),
    /** Any other answer (a bug or a limit the scenario should not hit): at most once; counted and reported. */
    OTHER("other");

    final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** Whether a client may receive a publish answered so (at most once). */
    boolean mayArrive() {
        return this != UNAVAILABLE && this != NOT_SENT;
    }
}
