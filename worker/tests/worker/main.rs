//! The worker's two drivers over the real embedded queue and the real Lambda runtime client.

mod ai_jobs;
mod kill_drill;
mod killed_worker;
mod lambda_binary;
mod lambda_events;
mod local_loop;
mod model_replies;
mod scheduled_poll;
mod stranded;
mod stranded_aws;
mod support;
