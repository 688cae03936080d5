# expect: MI101 MI102 MI401
# why: Switch and value parameters bound with colon syntax (-ServicePrincipal:$true, -CertificateThumbprint:$x).
param([string] $Environment = 'AzureCloud')

Disable-AzContextAutosave -Scope Process | Out-Null
$ctx = Connect-AzAccount -Identity -Environment:$Environment -ErrorAction:Stop
"Connected to tenant $($ctx.Context.Tenant.Id)"

$policies = Get-AzPolicyState -Filter "ComplianceState eq 'NonCompliant'" -Top 200
$policies |
    Group-Object -Property PolicyDefinitionName |
    Sort-Object -Property Count -Descending |
    Select-Object -First 10 -Property Count, Name |
    Format-Table -AutoSize | Out-String | Write-Output
