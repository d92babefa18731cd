// Small admin/smoke-test client for the local Kafka broker started by deploy/local/kafka.sh.
//
// The Kafka command-line tools artifact (kafka-tools, with TopicCommand and the console
// producer/consumer) is not published for every broker version, so kafka.sh compiles this
// file against the broker's own kafka-clients jar instead (into .cache/kafka/tools).
//
// usage: KafkaLocalTool ready        BOOTSTRAP [TIMEOUT_MS]
//        KafkaLocalTool topics       BOOTSTRAP
//        KafkaLocalTool create-topic BOOTSTRAP NAME [PARTITIONS]
//        KafkaLocalTool smoke        BOOTSTRAP [TOPIC]
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class KafkaLocalTool {
    private KafkaLocalTool() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: KafkaLocalTool ready|topics|create-topic|smoke BOOTSTRAP [...]");
            System.exit(2);
        }
        String cmd = args[0];
        String bootstrap = args[1];
        int rc;
        try {
            switch (cmd) {
                case "ready":
                    rc = ready(bootstrap, args.length > 2 ? Integer.parseInt(args[2]) : 10_000);
                    break;
                case "topics":
                    rc = topics(bootstrap);
                    break;
                case "create-topic":
                    if (args.length < 3) {
                        System.err.println("create-topic needs a topic name");
                        System.exit(2);
                    }
                    rc = createTopic(bootstrap, args[2], args.length > 3 ? Integer.parseInt(args[3]) : 3);
                    break;
                case "smoke":
                    rc = smoke(bootstrap, args.length > 2 ? args[2] : "forvalt.local.smoke");
                    break;
                default:
                    System.err.println("unknown command: " + cmd);
                    rc = 2;
            }
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            System.err.println(cmd + " failed: " + cause);
            rc = 1;
        }
        System.exit(rc);
    }

    private static Admin admin(String bootstrap, int timeoutMs) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5_000));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "forvalt-local-tool");
        return Admin.create(p);
    }

    /** Exit 0 when the broker answers a metadata request and lists topics. */
    private static int ready(String bootstrap, int timeoutMs) throws Exception {
        try (Admin a = admin(bootstrap, timeoutMs)) {
            int nodes = a.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            a.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            System.out.println("ok: " + nodes + " broker(s) at " + bootstrap);
            return nodes > 0 ? 0 : 1;
        }
    }

    private static int topics(String bootstrap) throws Exception {
        try (Admin a = admin(bootstrap, 15_000)) {
            a.listTopics().names().get().stream().sorted().forEach(System.out::println);
            return 0;
        }
    }

    private static int createTopic(String bootstrap, String name, int partitions) throws Exception {
        try (Admin a = admin(bootstrap, 30_000)) {
            try {
                a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
                System.out.println("created topic " + name + " (" + partitions + " partitions)");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                System.out.println("topic " + name + " already exists");
            }
            return 0;
        }
    }

    /** Creates a one-partition topic, produces one record and reads it back. */
    private static int smoke(String bootstrap, String topic) throws Exception {
        createTopic(bootstrap, topic, 1);
        String value = "forvalt-smoke-" + UUID.randomUUID();

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        RecordMetadata md;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            md = producer.send(new ProducerRecord<>(topic, "smoke", value)).get(30, TimeUnit.SECONDS);
        }
        System.out.println("produced " + value + " to " + md.topic() + "-" + md.partition() + "@" + md.offset());

        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        TopicPartition tp = new TopicPartition(md.topic(), md.partition());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.assign(Set.of(tp));
            consumer.seek(tp, md.offset());
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (value.equals(r.value())) {
                        System.out.println("consumed " + r.value() + " from " + r.topic() + "-" + r.partition() + "@" + r.offset());
                        return 0;
                    }
                }
            }
        }
        System.err.println("smoke: the produced record was not consumed within 30 s");
        return 1;
    }
}
