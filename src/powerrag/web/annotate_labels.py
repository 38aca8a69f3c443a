"""Labels of annotation in place and of the settings and public pages, English and Chinese.

Kept apart from web/i18n.py, which merges them into its catalogue (as replay_labels.py).
"""

from __future__ import annotations

EN: dict[str, str] = {
    "not_saved": "Not saved",
    "edit": "Edit",
    "delete": "Delete",
    "copy_label": "Copy",
    "copy_done": "Copied",
    "session_annotations": "Scores and comments of the session",
    "score_type_numeric": "Number",
    "score_type_categorical": "Category",
    "score_type_boolean": "True / false",
    "score_value_hint": "0.8, good, true…",
    "comment_placeholder": "Comment on this",
    "users_hidden": "hidden on public pages",
    "project_id": "Project ID",
    "project_id_help": "The CLI names the project by its id:",
    "rename": "Rename",
    "role_admin": "Administrator",
    "admin_sees_all": "sees every project",
    "public_pages": "Public pages",
    "public_pages_intro": "A published session can be opened by anyone with its link, signed out. It never shows the team's comments; the end users' ids (often emails) only if you allow it here.",
    "public_shows_users": "Show the end users' ids and emails on public pages",
    "yes": "yes",
    "no": "no",
}

ZH: dict[str, str] = {
    "not_saved": "未保存",
    "edit": "编辑",
    "delete": "删除",
    "copy_label": "复制",
    "copy_done": "已复制",
    "session_annotations": "会话的评分和评论",
    "score_type_numeric": "数值",
    "score_type_categorical": "类别",
    "score_type_boolean": "是 / 否",
    "score_value_hint": "0.8、good、true…",
    "comment_placeholder": "写一条评论",
    "users_hidden": "公开页面上隐藏",
    "project_id": "项目 ID",
    "project_id_help": "命令行用项目 ID 指定项目：",
    "rename": "重命名",
    "role_admin": "管理员",
    "admin_sees_all": "可查看所有项目",
    "public_pages": "公开页面",
    "public_pages_intro": "已发布的会话，任何持有链接的人无需登录即可打开。公开页面从不显示团队的评论；终端用户的 ID（常为邮箱）只有在此允许后才会显示。",
    "public_shows_users": "在公开页面上显示终端用户的 ID 和邮箱",
    "yes": "是",
    "no": "否",
}
