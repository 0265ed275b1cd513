"""ahportal: 安徽省专业技术人员综合管理服务平台, re-created as a Reflex portal."""
