"""The portal's fixed texts: its name, the sponsor, technical support and contact lines.

The seeds give the portal's name and the sponsor's role (安徽省人力资源和社会保障厅 hosts the
platform, seed 002 一.1) and the 12345 hotline for 政务网 accounts (一.2, 二.2); the other
lines are plausible placeholders kept here so that a deployment changes them in one place.
"""

from __future__ import annotations

PORTAL_NAME = "安徽省专业技术人员综合管理服务平台"
PORTAL_SHORT_NAME = "专技人员综合管理服务平台"
SPONSOR = "主办单位：安徽省人力资源和社会保障厅"
TECH_SUPPORT = "技术支持：安徽省人力资源和社会保障信息中心"
CONTACT_PHONE = "联系电话：0551-62999012（工作日 9:00–17:00）"
GOVNET_HOTLINE = "政务服务网账号问题请拨打 12345 热线"
BROWSER_HINT = "推荐使用谷歌浏览器或 360 安全浏览器极速模式"
EMBLEM_SRC = "/emblem.svg"
EMBLEM_ALT = "平台标识"
