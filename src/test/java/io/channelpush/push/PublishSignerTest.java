package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.channelpush.push.auth.PublishSigner;
import org.junit.jupiter.api.Test;

class PublishSignerTest {
    @Test
    void canonicalQueryIsSortedAndRfc3986Encoded() {
        assertEquals("a=1&b=x%20y&b=z&content=%C3%A9%2A~", PublishSigner.canonicalQuery("content=%C3%A9*~&b=z&b=x+y&a=1"));
        assertEquals("", PublishSigner.canonicalQuery(null));
    }

    @Test
    void malformedEscapeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PublishSigner.canonicalQuery("content=%E0%A4%A"));
    }

    @Test
    void signatureMatchesOpensslForTheReadmeExample() {
        // printf 'GET\n/\ncontent=hello%%20world\n<sha256 of empty>\n1700000000\nabcdef123456' \
        //   | openssl dgst -sha256 -hmac s3cr3t -hex
        String s = PublishSigner.stringToSign("GET", "/", "content=hello%20world", new byte[0], 1700000000L, "abcdef123456");
        assertEquals("GET\n/\ncontent=hello%20world\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n1700000000\nabcdef123456", s);
        // the value openssl printed for the command above
        assertEquals("9a8a76f7cf77f8777166bb4b3078fbc78c7d5927a4da31c062ee1cb1946d08d3", PublishSigner.signature("s3cr3t", s));
    }
}
