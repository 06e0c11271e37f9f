"""The official `openai` Python package against the local OpenAI double.

Run by tests/openai_python.rs with the double's base URL as the only argument; the double is
scripted in the order of the checks below. Prints one line per passed check and exits non-zero
on the first failure.
"""

import json
import sys

try:
    import openai
except ImportError as error:
    print(
        f"the `openai` package is missing from {sys.executable} ({error}); "
        "install it with `.venv/bin/pip install -r scripts/requirements.txt`",
        file=sys.stderr,
    )
    sys.exit(3)

KEY = "sk-test-python-0123456789"
MODEL = "gpt-4o-mini"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {"type": "object", "properties": {}},
        },
    }
    for name in ("search_customers", "count_customers")
]


def client(base_url):
    # Explicit key and URL, no retries, no proxies from the environment.
    return openai.OpenAI(
        api_key=KEY,
        base_url=base_url,
        max_retries=0,
        timeout=30,
        http_client=openai.DefaultHttpxClient(trust_env=False),
    )


def ask(question):
    return [{"role": "user", "content": question}]


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def tool_calls_whole(api):
    completion = api.chat.completions.create(
        model=MODEL, messages=ask("Who might churn?"), tools=TOOLS
    )
    choice = completion.choices[0]
    expect(choice.finish_reason == "tool_calls", choice.finish_reason)
    calls = choice.message.tool_calls
    expect([c.function.name for c in calls] == ["search_customers", "count_customers"], calls)
    expect(json.loads(calls[0].function.arguments) == {"query": "churn", "limit": 5}, calls)
    expect(all(c.id.startswith("call_") and c.type == "function" for c in calls), calls)
    usage = completion.usage
    expect((usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (120, 30, 150), usage)
    expect(completion.object == "chat.completion" and completion.model == MODEL, completion)
    return choice.message


def tool_results_answered(api, asked):
    messages = ask("Who might churn?") + [
        asked.model_dump(exclude_none=True),
        *(
            {"role": "tool", "tool_call_id": call.id, "content": '{"customers": 3}'}
            for call in asked.tool_calls
        ),
    ]
    completion = api.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
    choice = completion.choices[0]
    expect(choice.message.content == "Three customers are at risk.", choice.message)
    expect(choice.finish_reason == "stop" and choice.message.tool_calls is None, choice)
    usage = completion.usage
    expect(usage.prompt_tokens > 0 and usage.completion_tokens > 0, usage)
    expect(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, usage)


def tool_calls_streamed(api):
    stream = api.chat.completions.create(
        model=MODEL,
        messages=ask("Who might churn?"),
        tools=TOOLS,
        stream=True,
        stream_options={"include_usage": True},
    )
    calls, finish_reason, usage, chunks = {}, None, None, 0
    for chunk in stream:
        chunks += 1
        expect(chunk.object == "chat.completion.chunk", chunk)
        if chunk.usage is not None:
            expect(chunk.choices == [], chunk)
            usage = chunk.usage
            continue
        delta = chunk.choices[0].delta
        for call in delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id:
                entry["id"], entry["name"] = call.id, call.function.name
            entry["arguments"] += call.function.arguments or ""
        finish_reason = chunk.choices[0].finish_reason or finish_reason
    expect(finish_reason == "tool_calls", finish_reason)
    expect(sorted(calls) == [0, 1], calls)
    expect(calls[0]["name"] == "search_customers" and calls[0]["id"].startswith("call_"), calls)
    expect(json.loads(calls[0]["arguments"]) == {"query": "churn", "limit": 5}, calls)
    expect(json.loads(calls[1]["arguments"]) == {}, calls)
    expect(usage is not None, "no usage chunk")
    expect((usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (50, 20, 70), usage)
    expect(chunks > 6, f"only {chunks} chunks")


def text_streamed(api):
    stream = api.chat.completions.create(model=MODEL, messages=ask("Summarise"), stream=True)
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    expect("".join(pieces) == "Revenue is up four percent.", pieces)
    expect(len(pieces) > 1, pieces)


def rate_limited(api):
    try:
        api.chat.completions.create(model=MODEL, messages=ask("Hi"))
    except openai.RateLimitError as error:
        expect(error.status_code == 429 and error.code == "rate_limit_exceeded", error)
        expect(error.response.headers.get("retry-after") == "7", error.response.headers)
        expect(error.response.headers.get("x-request-id", "").startswith("req_"), error.response.headers)
        return
    raise AssertionError("no RateLimitError")


def out_of_quota(api):
    try:
        api.chat.completions.create(model=MODEL, messages=ask("Hi"))
    except openai.RateLimitError as error:
        expect(error.code == "insufficient_quota" and error.type == "insufficient_quota", error)
        return
    raise AssertionError("no RateLimitError for insufficient_quota")


def bad_key(api):
    try:
        api.chat.completions.create(model=MODEL, messages=ask("Hi"))
    except openai.AuthenticationError as error:
        expect(error.status_code == 401 and error.code == "invalid_api_key", error)
        return
    raise AssertionError("no AuthenticationError")


def missing_key(api):
    # The client refuses to start without a key, so drop its Authorization header instead.
    try:
        api.chat.completions.create(
            model=MODEL, messages=ask("Hi"), extra_headers={"Authorization": openai.Omit()}
        )
    except openai.AuthenticationError as error:
        expect(error.status_code == 401 and "didn't provide an API key" in error.message, error)
        return
    raise AssertionError("no AuthenticationError without a key")


def context_too_long(api):
    try:
        api.chat.completions.create(model=MODEL, messages=ask("Hi"))
    except openai.BadRequestError as error:
        expect(error.code == "context_length_exceeded" and error.param == "messages", error)
        return
    raise AssertionError("no BadRequestError")


def server_error(api):
    try:
        api.chat.completions.create(model=MODEL, messages=ask("Hi"))
    except openai.InternalServerError as error:
        expect(error.status_code == 500 and error.type == "server_error", error)
        return
    raise AssertionError("no InternalServerError")


def fallback(api):
    completion = api.chat.completions.create(model=MODEL, messages=ask("Anyone there?"))
    expect("double" in completion.choices[0].message.content, completion)
    models = [m.id for m in api.models.list()]
    expect(MODEL in models, models)


def main():
    base_url = sys.argv[1]
    api = client(base_url)
    print(f"openai {openai.VERSION}")
    asked = tool_calls_whole(api)
    print("ok: tool calls")
    tool_results_answered(api, asked)
    print("ok: tool results answered")
    tool_calls_streamed(api)
    print("ok: streamed tool calls with usage")
    text_streamed(api)
    print("ok: streamed text")
    rate_limited(api)
    print("ok: rate limited")
    out_of_quota(api)
    print("ok: insufficient quota")
    bad_key(api)
    print("ok: invalid api key")
    missing_key(api)
    print("ok: missing api key")
    context_too_long(api)
    print("ok: context length exceeded")
    server_error(api)
    print("ok: server error")
    fallback(api)
    print("ok: fallback and models")


if __name__ == "__main__":
    main()
