"""Drives the gateway with the official openai Python client and prints what it saw as one JSON line.

Usage: python openai-client.py BASE_URL API_KEY MODEL
The TypeScript test (test/peer-openai-python.test.ts) judges the output; this script only reports.
"""

import json
import sys

import openai


def main() -> None:
    base_url, api_key, model = sys.argv[1:4]
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0, timeout=30)
    report: dict = {"openai_version": openai.__version__}

    report["models"] = [m.id for m in client.models.list().data]

    chat = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Name three things a batcher does."}],
        max_tokens=12,
        temperature=0.2,
    )
    report["chat"] = {
        "object": chat.object,
        "text": chat.choices[0].message.content,
        "finish_reason": chat.choices[0].finish_reason,
        "usage": chat.usage.model_dump() if chat.usage else None,
    }

    text, chunks, usage, finish = "", 0, None, None
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Stream something."}],
        max_completion_tokens=10,
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        chunks += 1
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage.model_dump()
    report["chat_stream"] = {"text": text, "chunks": chunks, "finish_reason": finish, "usage": usage}

    completion = client.completions.create(model=model, prompt="Once upon a time", max_tokens=8)
    report["completion"] = {
        "object": completion.object,
        "text": completion.choices[0].text,
        "usage": completion.usage.model_dump() if completion.usage else None,
    }

    text, chunks = "", 0
    for chunk in client.completions.create(model=model, prompt="Count:", max_tokens=6, stream=True):
        chunks += 1
        if chunk.choices:
            text += chunk.choices[0].text
    report["completion_stream"] = {"text": text, "chunks": chunks}

    try:
        client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"temperature": "hot"},
        )
        report["wrong_type"] = {"raised": None}
    except openai.BadRequestError as error:
        body = error.body if isinstance(error.body, dict) else {}
        report["wrong_type"] = {
            "raised": type(error).__name__,
            "status": error.status_code,
            "param": body.get("param"),
            "code": body.get("code"),
            "type": body.get("type"),
        }

    print(json.dumps(report))


if __name__ == "__main__":
    main()
