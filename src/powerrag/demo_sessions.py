"""The demo's conversations: support (English), travel (Chinese) and coding with an error.

Plain data for `powerrag demo`: each turn is a user question, the assistant's
answer (None when the model call failed) and the observations it took.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Step:
    """One child observation of a turn."""

    kind: str  # retriever, tool, generation
    name: str
    input: Any
    output: Any
    seconds: float
    model: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    error: str = ""


@dataclass
class Turn:
    question: str
    answer: str | None
    steps: list[Step]
    gap_seconds: float = 40.0
    feedback: float | None = None


@dataclass
class Conversation:
    key: str
    user_id: str
    system: str
    turns: list[Turn]
    resolved: str = "yes"


def _gen(model: str, answer: Any, seconds: float, tokens: tuple[int, int], error: str = "") -> Step:
    return Step(
        "generation",
        "llm-call",
        None,
        answer,
        seconds,
        model,
        {"input": tokens[0], "output": tokens[1]},
        error,
    )


CONVERSATIONS: list[Conversation] = [
    Conversation(
        key="support-refund",
        user_id="alice@example.com",
        system="You are the support assistant of Acme Store. Be brief and cite the policy.",
        turns=[
            Turn(
                "Hi! I bought headphones last week and they stopped working. Can I get a refund?",
                "Sorry to hear that! Headphones bought in the last **30 days** can be refunded. Could you give me your order number?",
                [
                    Step(
                        "retriever",
                        "search-policies",
                        {"query": "refund headphones defective"},
                        [
                            {
                                "doc": "refund-policy.md",
                                "text": "Items may be returned within 30 days.",
                                "score": 0.89,
                            },
                            {
                                "doc": "warranty.md",
                                "text": "Electronics carry a two-year warranty.",
                                "score": 0.64,
                            },
                        ],
                        0.21,
                    ),
                    _gen(
                        "gpt-4o",
                        {
                            "role": "assistant",
                            "content": "Sorry to hear that! Headphones bought in the last **30 days** can be refunded. Could you give me your order number?",
                        },
                        1.4,
                        (412, 38),
                    ),
                ],
                gap_seconds=35,
                feedback=1,
            ),
            Turn(
                "Sure, it's order A-10023.",
                "Thanks! Order **A-10023** (Noise-cancelling headphones, $129) is eligible. I've started the refund; you'll get an email with a return label.",
                [
                    _gen(
                        "gpt-4o",
                        {
                            "role": "assistant",
                            "content": None,
                            "tool_calls": [
                                {
                                    "id": "call_1",
                                    "type": "function",
                                    "function": {
                                        "name": "lookup_order",
                                        "arguments": '{"order_id": "A-10023"}',
                                    },
                                }
                            ],
                        },
                        0.9,
                        (520, 22),
                    ),
                    Step(
                        "tool",
                        "lookup_order",
                        {"order_id": "A-10023"},
                        {
                            "status": "delivered",
                            "item": "Noise-cancelling headphones",
                            "price": 129.0,
                            "days_since_delivery": 6,
                        },
                        0.12,
                    ),
                    _gen(
                        "gpt-4o",
                        {
                            "role": "assistant",
                            "content": "Thanks! Order **A-10023** (Noise-cancelling headphones, $129) is eligible. I've started the refund; you'll get an email with a return label.",
                        },
                        1.2,
                        (610, 41),
                    ),
                ],
                gap_seconds=50,
                feedback=1,
            ),
            Turn(
                "Great, how long until I get my money back?",
                "Refunds reach your card **5–7 business days** after we receive the headphones.",
                [
                    Step(
                        "retriever",
                        "search-policies",
                        {"query": "refund duration"},
                        [
                            {
                                "doc": "refund-policy.md",
                                "text": "Refunds are issued within 5-7 business days.",
                                "score": 0.93,
                            }
                        ],
                        0.18,
                    ),
                    _gen(
                        "gpt-4o-mini",
                        "Refunds reach your card **5–7 business days** after we receive the headphones.",
                        0.8,
                        (702, 25),
                    ),
                ],
                feedback=0.8,
            ),
        ],
    ),
    Conversation(
        key="travel-zh",
        user_id="wang.lei",
        system="你是一个旅行助手，用简体中文回答。",
        turns=[
            Turn(
                "你好，我想去杭州玩三天，有什么推荐？",
                "杭州三日游推荐：\n- 第一天：西湖、断桥、雷峰塔\n- 第二天：灵隐寺、龙井村品茶\n- 第三天：西溪湿地",
                [
                    Step(
                        "retriever",
                        "search-guides",
                        {"query": "杭州 三日游"},
                        [{"doc": "hangzhou.md", "text": "西湖是杭州最著名的景点。", "score": 0.87}],
                        0.25,
                    ),
                    _gen(
                        "qwen-max",
                        "杭州三日游推荐：\n- 第一天：西湖、断桥、雷峰塔\n- 第二天：灵隐寺、龙井村品茶\n- 第三天：西溪湿地",
                        2.1,
                        (380, 96),
                    ),
                ],
                gap_seconds=70,
                feedback=1,
            ),
            Turn(
                "那几天天气怎么样？",
                "未来三天杭州以**多云**为主，气温 12–19°C，第二天下午可能有小雨，记得带伞。",
                [
                    Step(
                        "tool",
                        "get_weather",
                        {"city": "杭州", "days": 3},
                        {"forecast": ["多云 12-18°C", "小雨 13-17°C", "多云 12-19°C"]},
                        0.3,
                    ),
                    _gen(
                        "qwen-max",
                        "未来三天杭州以**多云**为主，气温 12–19°C，第二天下午可能有小雨，记得带伞。",
                        1.3,
                        (455, 52),
                    ),
                ],
                gap_seconds=45,
            ),
            Turn(
                "谢谢！龙井茶大概多少钱？",
                "正宗明前西湖龙井一般每斤 **1500–4000 元**，雨前茶便宜一些。建议在龙井村茶农家购买并先试喝。",
                [
                    _gen(
                        "qwen-max",
                        "正宗明前西湖龙井一般每斤 **1500–4000 元**，雨前茶便宜一些。建议在龙井村茶农家购买并先试喝。",
                        1.6,
                        (530, 70),
                    )
                ],
                feedback=0.5,
            ),
        ],
        resolved="partly",
    ),
    Conversation(
        key="code-assistant",
        user_id="dev-42",
        system="You are a senior Python reviewer.",
        turns=[
            Turn(
                "How do I read a file line by line in Python without loading it all?",
                'Iterate over the file object:\n\n```python\nwith open("big.log") as f:\n    for line in f:\n        handle(line)\n```\n\nThe file is read lazily, one buffered chunk at a time.',
                [
                    _gen(
                        "claude-3-5-sonnet",
                        {
                            "role": "assistant",
                            "content": [
                                {
                                    "type": "text",
                                    "text": 'Iterate over the file object:\n\n```python\nwith open("big.log") as f:\n    for line in f:\n        handle(line)\n```\n\nThe file is read lazily, one buffered chunk at a time.',
                                }
                            ],
                        },
                        2.4,
                        (210, 88),
                    )
                ],
                gap_seconds=90,
                feedback=1,
            ),
            Turn(
                "And if the lines are JSON?",
                None,
                [
                    _gen(
                        "claude-3-5-sonnet",
                        None,
                        30.0,
                        (260, 0),
                        error="429 rate_limit_error: Number of request tokens has exceeded your per-minute rate limit",
                    )
                ],
                gap_seconds=20,
                feedback=0,
            ),
            Turn(
                "And if the lines are JSON? (retry)",
                'Parse each line with `json.loads`:\n\n```python\nimport json\nwith open("events.jsonl") as f:\n    events = (json.loads(line) for line in f if line.strip())\n```',
                [
                    _gen(
                        "claude-3-5-sonnet",
                        'Parse each line with `json.loads`:\n\n```python\nimport json\nwith open("events.jsonl") as f:\n    events = (json.loads(line) for line in f if line.strip())\n```',
                        2.0,
                        (300, 60),
                    )
                ],
                feedback=1,
            ),
        ],
    ),
]
