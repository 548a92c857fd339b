//! The message transports of AsyncAPI steps against real brokers: mosquitto (MQTT 5) and
//! nats-server, from Debian's packages (installed here when missing), each started by its test
//! on a free 127.0.0.1 port and stopped when the test ends, even by a panic.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use arazzo_exec::{
    ChannelTarget, MessageErrorKind, MessageExecutor, MessageRouter, MqttExecutor, NatsExecutor,
    OutgoingMessage, ReceivedMessage, Subscription,
};

/// Long enough for a loaded 2-core machine; a message that is coming takes milliseconds.
const ARRIVAL: Duration = Duration::from_secs(10);
/// How long a test waits to show that nothing comes.
const SILENCE: Duration = Duration::from_millis(300);

/// A broker process of this test; killed and reaped on drop.
struct Broker {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Broker {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts `program` (from Debian `package`) with the configuration `config(port)`, written
    /// to a file passed as `-c FILE`, and waits until its log says `listening(port)`. A free
    /// port can be taken by another test between choosing and binding it: the broker then
    /// exits, and is started again on another port (at most 5 times).
    fn start(
        program: &str,
        package: &str,
        config: impl Fn(u16) -> String,
        listening: impl Fn(u16) -> String,
    ) -> Broker {
        let program = installed(program, package);
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = free_port();
            let config_path = dir.path().join("broker.conf");
            fs::write(&config_path, config(port)).unwrap();
            let log = fs::File::create(dir.path().join("broker.log")).unwrap();
            let child = Command::new(&program)
                .arg("-c")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|err| panic!("cannot start {}: {err}", program.display()));
            let mut broker = Broker { child, port, dir };
            if broker.wait_ready(&listening(port)) {
                return broker;
            }
        }
        panic!("{} exited at each of 5 starts", program.display());
    }

    fn mosquitto() -> Broker {
        Broker::start(
            "mosquitto",
            "mosquitto",
            |port| {
                format!(
                    "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
                )
            },
            |port| format!("listen socket on port {port}."),
        )
    }

    fn nats(headers: bool) -> Broker {
        Broker::start(
            "nats-server",
            "nats-server",
            |port| {
                let mut config = format!("host: 127.0.0.1\nport: {port}\n");
                if !headers {
                    config.push_str("no_header_support: true\n");
                }
                config
            },
            |port| format!("Listening for client connections on 127.0.0.1:{port}"),
        )
    }

    /// A bounded readiness poll: the log says `listening` and the port accepts a connection
    /// (true), or the broker has exited (false).
    fn wait_ready(&mut self, listening: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if self.log().contains(listening)
                && TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                return true;
            }
            assert!(
                Instant::now() < deadline,
                "the broker did not listen within 15 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("broker.log")).unwrap_or_default()
    }
}

/// The path of `program`, installing Debian `package` first when it is missing (bounded).
fn installed(program: &str, package: &str) -> PathBuf {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|err| err.into_inner());
    if let Some(path) = find(program) {
        return path;
    }
    let script = format!(
        "export DEBIAN_FRONTEND=noninteractive; \
         apt-get install -y -qq {package} || (apt-get update -qq && apt-get install -y -qq {package})"
    );
    let status = Command::new("timeout")
        .args(["300", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("runs apt-get");
    assert!(status.success(), "cannot install {package} ({status})");
    find(program).unwrap_or_else(|| panic!("{package} installed no `{program}`"))
}

fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn order_message() -> OutgoingMessage {
    OutgoingMessage {
        headers: vec![
            ("orderRequestId".to_string(), "req-42".to_string()),
            ("trace".to_string(), "b".to_string()),
            ("trace".to_string(), "a".to_string()),
        ],
        payload: r#"{"petId":7}"#.into(),
        content_type: Some("application/json".to_string()),
    }
}

async fn arrives(subscription: &mut dyn Subscription) -> ReceivedMessage {
    tokio::time::timeout(ARRIVAL, subscription.next())
        .await
        .expect("a message within 10 s")
        .expect("a message, not an error")
}

async fn nothing_arrives(subscription: &mut dyn Subscription) {
    if let Ok(received) = tokio::time::timeout(SILENCE, subscription.next()).await {
        panic!("expected no message, got {received:?}");
    }
}

#[tokio::test]
async fn mqtt_send_then_receive_round_trips_headers_and_payload() {
    let broker = Broker::mosquitto();
    let target = ChannelTarget::new("mqtt", broker.host(), "pets/confirm-order");
    let receiver = MqttExecutor::new();
    let mut exact = receiver.subscribe(&target).await.unwrap();
    let wildcard = ChannelTarget::new("mqtt", broker.host(), "pets/+");
    let mut any = receiver.subscribe(&wildcard).await.unwrap();

    let sender = MqttExecutor::new();
    sender.send(&target, &order_message()).await.unwrap();

    for subscription in [&mut exact, &mut any] {
        let received = arrives(subscription.as_mut()).await;
        assert_eq!(received.address, "pets/confirm-order");
        assert_eq!(received.headers, order_message().headers);
        assert_eq!(received.content_type.as_deref(), Some("application/json"));
        assert_eq!(received.payload, r#"{"petId":7}"#);
        // The two overlapping filters share one connection: each gets the message once.
        nothing_arrives(subscription.as_mut()).await;
    }
    sender.close().await;
    receiver.close().await;
}

#[tokio::test]
async fn mqtt_carries_a_megabyte_and_echoes_to_its_own_subscriptions() {
    let broker = Broker::mosquitto();
    let target = ChannelTarget::new("mqtt", broker.host(), "blobs");
    let executor = MqttExecutor::new();
    let mut subscription = executor.subscribe(&target).await.unwrap();
    let payload = vec![b'x'; 1024 * 1024];
    let message = OutgoingMessage {
        payload: payload.clone().into(),
        ..OutgoingMessage::default()
    };
    executor.send(&target, &message).await.unwrap();
    let received = arrives(subscription.as_mut()).await;
    assert_eq!(received.payload.len(), payload.len());
    assert_eq!(received.content_type, None);
    assert!(received.headers.is_empty());
}

#[tokio::test]
async fn mqtt_receive_with_nothing_sent_times_out_and_the_subscription_still_works() {
    let broker = Broker::mosquitto();
    let executor = MqttExecutor::new();
    let quiet = ChannelTarget::new("mqtt", broker.host(), "quiet");
    let mut subscription = executor.subscribe(&quiet).await.unwrap();
    nothing_arrives(subscription.as_mut()).await;
    // Another address's message does not reach it either.
    let other = ChannelTarget::new("mqtt", broker.host(), "other");
    executor.send(&other, &order_message()).await.unwrap();
    nothing_arrives(subscription.as_mut()).await;
    // The abandoned waits lost nothing.
    executor.send(&quiet, &order_message()).await.unwrap();
    assert_eq!(arrives(subscription.as_mut()).await.address, "quiet");
}

#[tokio::test]
async fn mqtt_refused_connection_is_a_connect_error_fast() {
    let target = ChannelTarget::new("mqtt", format!("127.0.0.1:{}", free_port()), "t");
    let started = Instant::now();
    let err = MqttExecutor::new()
        .send(&target, &order_message())
        .await
        .unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    assert!(err.message.contains("refused"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn mqtt_lost_broker_fails_the_subscription_then_reconnects() {
    let mut broker = Broker::mosquitto();
    let target = ChannelTarget::new("mqtt", broker.host(), "t");
    let executor = MqttExecutor::new();
    let mut subscription = executor.subscribe(&target).await.unwrap();
    let _ = broker.child.kill();
    let _ = broker.child.wait();
    let err = tokio::time::timeout(ARRIVAL, subscription.next())
        .await
        .expect("the loss is noticed")
        .unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    let err = subscription.next().await.unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    // The next call connects anew (refused now: the broker is gone).
    let err = executor.send(&target, &order_message()).await.unwrap_err();
    assert!(err.message.contains("refused"), "{err}");
}

#[tokio::test]
async fn mqtt_close_disconnects_and_a_later_call_connects_again() {
    let broker = Broker::mosquitto();
    let target = ChannelTarget::new("mqtt", broker.host(), "t");
    let executor = MqttExecutor::new();
    let mut before = executor.subscribe(&target).await.unwrap();
    executor.close().await;
    let err = tokio::time::timeout(ARRIVAL, before.next())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    let mut after = executor.subscribe(&target).await.unwrap();
    executor.send(&target, &order_message()).await.unwrap();
    assert_eq!(arrives(after.as_mut()).await.payload, r#"{"petId":7}"#);
}

#[tokio::test]
async fn nats_send_then_receive_round_trips_headers_and_payload() {
    let broker = Broker::nats(true);
    let target = ChannelTarget::new("nats", broker.host(), "pets.confirm-order");
    let receiver = NatsExecutor::new();
    let mut subscription = receiver.subscribe(&target).await.unwrap();
    let sender = NatsExecutor::new();
    sender.send(&target, &order_message()).await.unwrap();

    let received = arrives(subscription.as_mut()).await;
    assert_eq!(received.address, "pets.confirm-order");
    assert_eq!(received.payload, r#"{"petId":7}"#);
    assert_eq!(received.content_type.as_deref(), Some("application/json"));
    // NATS orders headers by name, values of one name as sent.
    assert_eq!(
        received.headers,
        [
            ("Content-Type", "application/json"),
            ("orderRequestId", "req-42"),
            ("trace", "b"),
            ("trace", "a"),
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()))
    );
    nothing_arrives(subscription.as_mut()).await;
    sender.close().await;
    receiver.close().await;
}

#[tokio::test]
async fn nats_receive_with_nothing_sent_times_out_and_the_subscription_still_works() {
    let broker = Broker::nats(true);
    let executor = NatsExecutor::new();
    let quiet = ChannelTarget::new("nats", broker.host(), "quiet");
    let mut subscription = executor.subscribe(&quiet).await.unwrap();
    nothing_arrives(subscription.as_mut()).await;
    executor
        .send(&quiet, &OutgoingMessage::default())
        .await
        .unwrap();
    let received = arrives(subscription.as_mut()).await;
    assert!(received.payload.is_empty());
    assert!(received.headers.is_empty());
}

#[tokio::test]
async fn nats_refused_connection_is_a_connect_error_fast() {
    let target = ChannelTarget::new("nats", format!("127.0.0.1:{}", free_port()), "t");
    let started = Instant::now();
    let err = NatsExecutor::new()
        .send(&target, &order_message())
        .await
        .unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// async-nats always asks for headers (for "no responders"), so a server with headers turned
/// off refuses the connection; a server without headers at all (before NATS 2.2) is refused
/// headers message by message (the unit tests of `nats.rs`).
#[tokio::test]
async fn nats_server_without_headers_is_a_connect_error_naming_them() {
    let broker = Broker::nats(false);
    let target = ChannelTarget::new("nats", broker.host(), "orders");
    let err = NatsExecutor::new()
        .send(&target, &order_message())
        .await
        .unwrap_err();
    assert_eq!(err.kind, MessageErrorKind::Connect, "{err}");
    assert!(err.message.contains("headers"), "{err}");
}

#[tokio::test]
async fn router_sends_each_protocol_to_its_broker_and_refuses_others() {
    let mosquitto = Broker::mosquitto();
    let nats = Broker::nats(true);
    let router = MessageRouter::with_transports();
    assert_eq!(router.protocols().collect::<Vec<_>>(), ["mqtt", "nats"]);
    for target in [
        ChannelTarget::new("mqtt", mosquitto.host(), "a/b"),
        ChannelTarget::new("NATS", nats.host(), "a.b"),
    ] {
        let mut subscription = router.subscribe(&target).await.unwrap();
        router.send(&target, &order_message()).await.unwrap();
        assert_eq!(arrives(subscription.as_mut()).await.address, target.address);
    }
    for protocol in ["kafka", "amqp", "secure-mqtt"] {
        let target = ChannelTarget::new(protocol, mosquitto.host(), "a/b");
        let err = router.send(&target, &order_message()).await.unwrap_err();
        assert_eq!(err.kind, MessageErrorKind::Unsupported, "{err}");
        assert!(err.message.contains(&format!("`{protocol}`")), "{err}");
    }
    router.close().await;
}
