package io.channelpush.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** One browser tab driven over {@link DevTools}: evaluate JavaScript, wait for the DOM, take screenshots. Not thread-safe. */
final class BrowserPage {
    private final DevTools devTools;
    private final String session;

    private BrowserPage(DevTools devTools, String session) {
        this.devTools = devTools;
        this.session = session;
    }

    /** Opens a new tab, starts collecting its errors, then loads {@code url} in it. */
    static BrowserPage open(DevTools devTools, String url) throws Exception {
        String target = devTools.call(null, "Target.createTarget", params("url", "about:blank"))
                .get("targetId").getAsString();
        JsonObject attach = params("targetId", target);
        attach.addProperty("flatten", true);
        String session = devTools.call(null, "Target.attachToTarget", attach).get("sessionId").getAsString();
        BrowserPage page = new BrowserPage(devTools, session);
        devTools.call(session, "Runtime.enable", null);
        devTools.call(session, "Page.enable", null);
        page.viewport(1280, 900, 1, false);
        JsonObject nav = devTools.call(session, "Page.navigate", params("url", url));
        if (nav.has("errorText")) {
            throw new AssertionError("cannot load " + url + ": " + nav.get("errorText"));
        }
        page.await("location.href === " + js(url) + " && document.readyState === 'complete'", JsonElement::getAsBoolean,
                15, "the page " + url + " did not load");
        return page;
    }

    /** The value of a JavaScript expression, as JSON. */
    JsonElement eval(String expression) throws Exception {
        JsonObject p = params("expression", expression);
        p.addProperty("returnByValue", true);
        JsonObject r = devTools.call(session, "Runtime.evaluate", p);
        if (r.has("exceptionDetails")) {
            throw new AssertionError(expression + " threw " + r.get("exceptionDetails"));
        }
        JsonElement value = r.getAsJsonObject("result").get("value");
        return value == null ? com.google.gson.JsonNull.INSTANCE : value;
    }

    /** The text content of the first element matching a CSS selector, or null. */
    String text(String selector) throws Exception {
        JsonElement v = eval("document.querySelector(" + js(selector) + ")?.textContent ?? null");
        return v.isJsonNull() ? null : v.getAsString();
    }

    /**
     * Waits up to {@code seconds} until the expression's value passes {@code test}; returns that value. An
     * expression that throws (the page is still loading) counts as not passing yet.
     */
    JsonElement await(String expression, Predicate<JsonElement> test, int seconds, String failure) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            Object last;
            try {
                JsonElement v = eval(expression);
                if (test.test(v)) {
                    return v;
                }
                last = v;
            } catch (AssertionError e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " within " + seconds + " s; last value: " + last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
        }
    }

    /** Sets named fields of a form and submits it as if {@code button} (a CSS selector in the form, or null) was clicked. */
    void submit(String formId, String button, String... namesAndValues) throws Exception {
        StringBuilder b = new StringBuilder("(() => { const f = document.getElementById(" + js(formId) + ");");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.append("f.elements[").append(js(namesAndValues[i])).append("].value = ").append(js(namesAndValues[i + 1])).append(';');
        }
        b.append("f.requestSubmit(").append(button == null ? "" : "f.querySelector(" + js(button) + ")").append("); })()");
        eval(b.toString());
    }

    /** Sets the viewport as a device of that CSS size would have it. */
    void viewport(int width, int height, double scale, boolean mobile) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("width", width);
        p.addProperty("height", height);
        p.addProperty("deviceScaleFactor", scale);
        p.addProperty("mobile", mobile);
        devTools.call(session, "Emulation.setDeviceMetricsOverride", p);
    }

    /** Saves a PNG of the whole page, not just the viewport. */
    void screenshot(Path file) throws Exception {
        JsonObject size = devTools.call(session, "Page.getLayoutMetrics", null).getAsJsonObject("cssContentSize");
        JsonObject clip = new JsonObject();
        clip.addProperty("x", 0);
        clip.addProperty("y", 0);
        clip.addProperty("width", size.get("width").getAsDouble());
        clip.addProperty("height", size.get("height").getAsDouble());
        clip.addProperty("scale", 1);
        JsonObject p = params("format", "png");
        p.addProperty("captureBeyondViewport", true);
        p.add("clip", clip);
        String data = devTools.call(session, "Page.captureScreenshot", p).get("data").getAsString();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    /** A JavaScript string literal. */
    static String js(String s) {
        return new JsonPrimitive(s).toString();
    }

    private static JsonObject params(String name, String value) {
        JsonObject o = new JsonObject();
        o.addProperty(name, value);
        return o;
    }
}
