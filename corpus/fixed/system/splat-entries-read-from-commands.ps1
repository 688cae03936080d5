# expect: MI101 MI102 MI401
# why: A splatted Az sign-in whose entries are a command (the subscription from an Automation variable) and an expression: the rewrite passes each as one argument in parentheses, where `-Subscription Get-AutomationVariable -Name x` would bind only the command's name.
param(
    [string] $ResourceGroupName = 'rg-reports'
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -Subscription (Get-AutomationVariable -Name 'ReportSubscriptionId') -Environment ('Azure' + 'Cloud') | Out-Null

Get-AzVM -ResourceGroupName $ResourceGroupName -Status |
    Select-Object Name, PowerState |
    Format-Table -AutoSize
