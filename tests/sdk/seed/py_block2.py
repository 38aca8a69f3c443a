from langfuse import get_client

langfuse = get_client()

# 在创建根 Span 时设置 session_id
with langfuse.start_as_current_span(
    name="process-chat-message"
) as root_span:
    # 为 Trace 添加 session_id
    root_span.update_trace(session_id="chat-session-123")

    # 该 Trace 下的所有 Span 都属于同一个会话
    with root_span.start_as_current_generation(
        name="generate-response",
        model="gpt-4o"
    ) as gen:
        # ... 生成响应 ...
        pass
