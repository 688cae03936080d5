# expect: MI101 MI102 MI401
# why: A splatted Az sign-in whose entries are a command (the subscription from an Automation variable) and an expression: the rewrite passes each as one argument in parentheses, where `-Subscription Get-AutomationVariable -Name x` would bind only the command's name.
param(
    [string] $ResourceGroupName = 'rg-reports'
)

$conn = Get-AutomationConnection -Name AzureRunAsConnection

$signIn = @{
    ServicePrincipal      = $true
    Tenant                = $conn.TenantID
    ApplicationId         = $conn.ApplicationID
    CertificateThumbprint = $conn.CertificateThumbprint
    Subscription          = Get-AutomationVariable -Name 'ReportSubscriptionId'
    Environment           = 'Azure' + 'Cloud'
}
Connect-AzAccount @signIn | Out-Null

Get-AzVM -ResourceGroupName $ResourceGroupName -Status |
    Select-Object Name, PowerState |
    Format-Table -AutoSize
