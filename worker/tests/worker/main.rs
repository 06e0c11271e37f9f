//! The worker's two drivers over the real embedded queue and the real Lambda runtime client.

mod lambda_binary;
mod lambda_events;
mod local_loop;
mod support;
