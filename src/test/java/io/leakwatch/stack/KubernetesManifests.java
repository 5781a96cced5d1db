package io.leakwatch.stack;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes manifests read the way the API server reads them, offline: each YAML document into the
 * model class of its kind from fabric8's kubernetes-model (generated from the Kubernetes and
 * Prometheus Operator API schemas), strictly. The model keeps fields it does not know in
 * "additionalProperties" instead of failing, so every object is walked and any such field is an
 * error, as are scalars of the wrong type.
 */
final class KubernetesManifests {
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/DaemonSet", DaemonSet.class,
            "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class);
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** A document read into its model, or the problems that make it invalid. */
    record Read(Path file, int document, HasMetadata object, List<String> problems) {
    }

    private KubernetesManifests() {
    }

    static List<Read> read(Path file) {
        try {
            return read(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Read> read(Path file, String yaml) {
        List<Read> out = new ArrayList<>();
        int index = 0;
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            index++;
            if (document == null) {
                continue;
            }
            JsonNode tree = STRICT.valueToTree(document);
            String kind = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
            Class<? extends HasMetadata> type = KINDS.get(kind);
            if (type == null) {
                out.add(new Read(file, index, null, List.of("no model for " + kind + " (known: " + KINDS.keySet() + ")")));
                continue;
            }
            try {
                HasMetadata object = STRICT.treeToValue(tree, type);
                List<String> problems = new ArrayList<>();
                unknownFields(object, tree.path("kind").asText(), problems, new IdentityHashMap<>());
                out.add(new Read(file, index, object, problems));
            } catch (JsonMappingException e) {
                out.add(new Read(file, index, null, List.of(e.getPathReference() + ": " + e.getOriginalMessage())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Fields the model did not know, anywhere below object. */
    private static void unknownFields(Object object, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (object == null || seen.put(object, true) != null) {
            return;
        }
        if (object instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!object.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(object);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            String field = getter.getName().startsWith("is") ? getter.getName().substring(2) : getter.getName().substring(3);
            if (!field.isEmpty()) {
                unknownFields(value, path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1), problems, seen);
            }
        }
    }
}
