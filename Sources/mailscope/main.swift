print("mailscope")
