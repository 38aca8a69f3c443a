"""Labels of the values the pages show: observation types and levels, chat roles,
evaluation targets, job states, checks and alert metrics, and the replay's units.

The English texts are the values themselves (the API's words, as Langfuse writes them);
Simplified Chinese translates them. web/i18n.py merges these into its catalogue; the
templates look a value up as `t['level_' ~ value|lower]` and fall back to the value.
"""

from __future__ import annotations

_OBSERVATION_TYPES = (
    "span", "generation", "event", "agent", "tool", "chain", "retriever", "evaluator",
    "embedding", "guardrail",
)  # fmt: skip
_LEVELS = ("debug", "default", "warning", "error")
_ROLES = ("user", "assistant", "system", "tool", "developer")
_TARGETS = ("session", "trace", "observation")
_JOB_STATES = ("pending", "running", "done", "failed")
_CHECKS = ("errors", "turns", "cost", "slow_turn", "frustration", "loop")
_METRICS = (
    "session_cost", "session_turns", "session_errors", "session_duration_seconds",
    "user_cost_24h", "score_below", "loop",
)  # fmt: skip

EN: dict[str, str] = {
    **{f"obs_type_{v}": v.upper() for v in _OBSERVATION_TYPES},
    **{f"level_{v}": v.upper() for v in _LEVELS},
    **{f"msg_role_{v}": v for v in _ROLES},
    **{f"target_{v}": v for v in _TARGETS},
    **{f"job_{v}": v for v in _JOB_STATES},
    **{f"check_{v}": v for v in _CHECKS},
    **{f"metric_{v}": v for v in _METRICS},
    "minutes_unit": "{n} min",
}

ZH: dict[str, str] = {
    "obs_type_span": "跨度",
    "obs_type_generation": "生成",
    "obs_type_event": "事件",
    "obs_type_agent": "智能体",
    "obs_type_tool": "工具",
    "obs_type_chain": "链",
    "obs_type_retriever": "检索",
    "obs_type_evaluator": "评估器",
    "obs_type_embedding": "向量化",
    "obs_type_guardrail": "护栏",
    "level_debug": "调试",
    "level_default": "默认",
    "level_warning": "警告",
    "level_error": "错误",
    "msg_role_user": "用户",
    "msg_role_assistant": "助手",
    "msg_role_system": "系统",
    "msg_role_tool": "工具",
    "msg_role_developer": "开发者",
    "target_session": "会话",
    "target_trace": "追踪",
    "target_observation": "观测",
    "job_pending": "等待中",
    "job_running": "运行中",
    "job_done": "已完成",
    "job_failed": "失败",
    "check_errors": "错误数",
    "check_turns": "轮次数",
    "check_cost": "费用",
    "check_slow_turn": "慢轮次",
    "check_frustration": "用户不满",
    "check_loop": "工具循环",
    "metric_session_cost": "会话费用",
    "metric_session_turns": "会话轮次数",
    "metric_session_errors": "会话错误数",
    "metric_session_duration_seconds": "会话时长（秒）",
    "metric_user_cost_24h": "用户 24 小时费用",
    "metric_score_below": "分数低于",
    "metric_loop": "工具循环",
    "minutes_unit": "{n} 分钟",
}
