"""Push notifications to residents: which news goes to whom, in which words, and what OneSignal's answer
means. Pure: the application gathers the facts, an adapter speaks to OneSignal."""
