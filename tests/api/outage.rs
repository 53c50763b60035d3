//! A database outage: requests fail fast with a 503 that says when to retry and nothing about
//! where the database is, and the service recovers as soon as the database is back.
//!
//! The outage is simulated by a small TCP proxy between the app and PostgreSQL that the test
//! stops (closing every connection through it and refusing new ones) and starts again on the
//! same port.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::common::{spawn_with, Backend, Reply};

/// Forwards `127.0.0.1:<port>` to `target` until stopped.
struct Proxy {
    port: u16,
    target: SocketAddr,
    running: Option<Running>,
}

struct Running {
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: JoinHandle<()>,
}

impl Proxy {
    fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let port = listener.local_addr().unwrap().port();
        let mut proxy = Proxy {
            port,
            target,
            running: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let streams: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let target = self.target;
        let acceptor = {
            let stop = Arc::clone(&stop);
            let streams = Arc::clone(&streams);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            client.set_nonblocking(false).unwrap();
                            let Ok(server) = TcpStream::connect(target) else {
                                continue;
                            };
                            let mut open = streams.lock().unwrap();
                            open.push(client.try_clone().unwrap());
                            open.push(server.try_clone().unwrap());
                            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                            pipe(server, client);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        self.running = Some(Running {
            stop,
            streams,
            acceptor,
        });
    }

    /// Close the listening port and every connection through it.
    fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop.store(true, Ordering::Release);
            running.acceptor.join().unwrap();
            for stream in running.streams.lock().unwrap().drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }

    /// Listen on the same port again.
    fn restart(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("the proxy's port again");
        self.serve(listener);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

/// `postgres://user@host:port/db` with host and port replaced.
fn through(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').expect("a database name");
    let user = authority
        .rsplit_once('@')
        .map(|(user, _)| format!("{user}@"))
        .unwrap_or_default();
    format!("{scheme}://{user}127.0.0.1:{port}/{path}")
}

fn target_of(url: &str) -> SocketAddr {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split_once('/').unwrap().0;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let host_port = if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5432")
    };
    use std::net::ToSocketAddrs;
    host_port.to_socket_addrs().unwrap().next().unwrap()
}

#[actix_web::test]
async fn an_outage_fails_fast_and_recovery_is_immediate() {
    let mut proxy: Option<Proxy> = None;
    let app = spawn_with(Backend::Postgres, |settings| {
        let url = settings.database_url();
        let started = Proxy::start(target_of(&url));
        settings.database_url = Some(through(&url, started.port));
        proxy = Some(started);
    })
    .await;
    let Some(app) = app else { return };
    let mut proxy = proxy.expect("the proxy");
    let port = proxy.port;

    // Warm: the pool holds open connections through the proxy.
    app.get("/countries/LV").await.ok(200);
    app.get("/coalitions").await.ok(200);

    proxy.stop();
    // An anonymous read the response cache holds is still served: nothing can have changed
    // while no one can write.
    app.get("/countries/LV").await.ok(200);
    // Every kind of request that needs the database (a token bypasses the response cache): a
    // read by id, a list, a write, health; several rounds, so that both the connections that
    // broke and the empty pool are exercised.
    let token = app.admin();
    for round in 0..4 {
        for (method, path) in [
            ("GET", "/countries/LV"),
            ("GET", "/initiatives?country=LV"),
            ("POST", "/organisations"),
            ("GET", "/health"),
        ] {
            let started = Instant::now();
            let request = match method {
                "GET" => app.client.get(app.url(path)).bearer_auth(&token),
                _ => app.client.post(app.url(path)).bearer_auth(&token).json(
                    &crate::common::translated(
                        serde_json::json!({"name": format!("Outage {round}"), "sector": "private", "country_code": "LV"}),
                    ),
                ),
            };
            let reply = Reply::from(request.send().await.unwrap()).await;
            let took = started.elapsed();
            let problem = reply.problem(503);
            assert!(
                took < Duration::from_secs(1),
                "{method} {path} (round {round}) took {took:?} to fail"
            );
            assert_eq!(reply.header("retry-after"), Some("1"), "{method} {path}");
            let detail = problem["detail"].as_str().unwrap();
            for leak in [port.to_string(), "5432".into(), "127.0.0.1".into(), "localhost".into()] {
                assert!(!reply.text.contains(&leak), "{method} {path} reveals {leak}: {detail}");
            }
        }
    }
    // Nothing was written while the database was away.
    proxy.restart();
    let back = Instant::now();
    loop {
        let reply = app.get_as("/countries/LV", &token).await;
        if reply.status == 200 {
            eprintln!("served again {:?} after the database came back", back.elapsed());
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "still {} {:?} after the database came back",
            reply.status,
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let list = app.get("/organisations?q=Outage").await;
    assert_eq!(
        list.ok(200)["data"],
        serde_json::json!([]),
        "a write acknowledged with 503"
    );
    app.get("/health").await.ok(200);
}
