with langfuse.start_as_current_span(name="another-operation"):
    # 为当前 Trace 添加 session_id
    langfuse.update_current_trace(session_id="your-session-id")
