from langfuse import observe, get_client

@observe()
def process_request():
    # 获取客户端实例
    langfuse = get_client()

    # 为当前 Trace 添加 session_id
    langfuse.update_current_trace(session_id="your-session-id")

    # ... 处理逻辑 ...
    return result
