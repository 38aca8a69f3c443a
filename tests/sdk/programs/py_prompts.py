"""Prompt management through the Python SDK (3.x, 4.x, 5.x): `python py_prompts.py PREFIX OUT`.

Creates a text and a chat prompt, reads them by label and by version, moves `production`
with update_prompt, compiles variables and placeholders, asks with a fallback, and sends a
generation that used the prompt; writes what the SDK answered to OUT as JSON.
"""

import json
import sys

from langfuse import get_client

prefix, out = sys.argv[1], sys.argv[2]
name, chat_name = f"{prefix}/qa/answer", f"{prefix}/qa/chat"
langfuse = get_client()
langfuse.create_prompt(
    name=name,
    prompt="Answer {{question}} briefly.",
    labels=["production"],
    tags=["qa"],
    config={"temperature": 0},
    commit_message="first",
)
langfuse.create_prompt(name=name, prompt="Answer {{question}} in detail.", labels=["staging"])
langfuse.create_prompt(
    name=chat_name,
    type="chat",
    prompt=[
        {"role": "system", "content": "You help with {{topic}}."},
        {"type": "placeholder", "name": "history"},
        {"role": "user", "content": "{{question}}"},
    ],
    labels=["production"],
)
production = langfuse.get_prompt(name)
by_version = langfuse.get_prompt(name, version=2)
staging = langfuse.get_prompt(name, label="staging")
langfuse.update_prompt(name=name, version=2, new_labels=["production"])
moved = langfuse.get_prompt(name, cache_ttl_seconds=0)
with_fallback = langfuse.get_prompt(
    name, label="staging", fallback="FALLBACK {{question}}", cache_ttl_seconds=0
)
chat = langfuse.get_prompt(chat_name, type="chat")
history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
with langfuse.start_as_current_observation(name=f"{prefix}-turn", input="Why?") as root:
    with langfuse.start_as_current_observation(
        as_type="generation",
        name="answer",
        model="gpt-4o-mini",
        prompt=moved,
        input=moved.compile(question="Why?"),
    ) as generation:
        generation.update(output="Because.")
        generation_id = generation.id
    trace_id = root.trace_id
langfuse.flush()


def seen(prompt):
    return {
        "version": prompt.version,
        "prompt": prompt.prompt,
        "labels": sorted(prompt.labels),
        "config": prompt.config,
        "fallback": prompt.is_fallback,
    }


result = {
    "production": seen(production),
    "byVersion": seen(by_version),
    "staging": seen(staging),
    "moved": seen(moved),
    "withFallback": seen(with_fallback),
    "compiled": production.compile(question="Why?"),
    "chatVariables": sorted(chat.variables),
    "chatCompiled": chat.compile(topic="billing", question="Why?", history=history),
    "traceId": trace_id,
    "generationId": generation_id,
}
with open(out, "w", encoding="utf-8") as f:
    json.dump(result, f)
