package io.channelpush.push;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Where {@link PushConfig}'s settings come from, first to last: {@code explicit} (the launcher's flags; a blank
 * value there unsets the setting whatever the other sources say), system {@code properties}, the
 * {@code environment}, the servlet context's init-params. Tests pass their own maps in place of the JVM's. Immutable if the maps
 * are; thread-safe.
 *
 * @param initParamNames the names of the init-params, to refuse unknown ones
 */
public record SettingSources(Map<String, String> explicit, Map<String, String> properties,
                             Map<String, String> environment, Function<String, String> initParam,
                             Collection<String> initParamNames) {
    /** Servlet context attribute under which the launcher hands its sources to the deployment. */
    public static final String ATTRIBUTE = SettingSources.class.getName();

    /** This JVM's system properties and environment, with the given explicit settings and init-params. */
    public static SettingSources system(Map<String, String> explicit, Function<String, String> initParam,
                                        Collection<String> initParamNames) {
        Map<String, String> props = new HashMap<>();
        System.getProperties().stringPropertyNames().forEach(n -> props.put(n, System.getProperty(n)));
        return new SettingSources(explicit, props, System.getenv(), initParam, initParamNames);
    }

    /** The same sources with other init-params (the deployment's). */
    public SettingSources withInitParams(Function<String, String> initParam, Collection<String> initParamNames) {
        return new SettingSources(explicit, properties, environment, initParam, initParamNames);
    }

    /**
     * One setting, looked up in the documented order.
     *
     * @return the stripped value, or null when unset or blank
     */
    public String value(String name) {
        String v = explicit.containsKey(name) ? explicit.get(name) : properties.get(name);
        if (v == null && !explicit.containsKey(name)) {
            v = environment.get(PushConfig.envName(name));
            if (v == null) {
                v = initParam.apply(name);
            }
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** @throws IllegalArgumentException naming every unknown name in any source, with the valid ones */
    public void checkNames() {
        List<String> valid = PushConfig.settingNames();
        Set<String> validEnv = new HashSet<>();
        valid.forEach(n -> validEnv.add(PushConfig.envName(n)));
        List<String> unknown = new ArrayList<>();
        explicit.keySet().stream().filter(n -> !valid.contains(n)).sorted()
                .forEach(n -> unknown.add("--set " + n));
        properties.keySet().stream().filter(n -> n.startsWith(PushConfig.PREFIX) && !valid.contains(n)).sorted()
                .forEach(n -> unknown.add("system property " + n));
        environment.keySet().stream().filter(n -> n.startsWith(PushConfig.ENV_PREFIX) && !validEnv.contains(n)).sorted()
                .forEach(n -> unknown.add("environment variable " + n));
        initParamNames.stream().filter(n -> n.startsWith(PushConfig.PREFIX) && !valid.contains(n)).sorted()
                .forEach(n -> unknown.add("init-param " + n));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(PushConfig.unknownSettingsMessage(unknown));
        }
    }
}
