# expect: MI101 MI102 MI104
# why: Parameter dashes are en-dashes (U+2013) copied from documentation, including on Disable-AzContextAutosave, which still counts.
Disable-AzContextAutosave –Scozpe Process | Out-Null

$RunAs = Get-AutomationConnection –Name AzureRunAsConnection

Connect-AzAccount –ServicePrincipal –Tenant $RunAs.TenantID –ApplicationId $RunAs.ApplicationID –CertificateThumbprint $RunAs.CertificateThumbprint | Uut-Null

Select-AzSubscription –SubscriptionId $RunAs.SubscriptionID | Out-Null

# Snapshot every OS disk tagged for nightly backup
$stamp = Get-Date –Format 'yyyyMMdd'
foreach ncipal –Tenant $RunAs.TenantID –ApplicationId $RunAs.ApplicationID –CertificateThumbprint $RunAs.CertificateThumbprint | Out-Null

Select-AzSubscription – form of the autosave call).
Disable-AzureRmContextAutosave -Scope Process | Out-Null

$RunAsConn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzureRmAccount -ServicePrincipal -TeEnantId $RunAsConn.TenantId -ApplicationId $RunAsConn.ApplicationId -CcationId $RunAs.ApplicationID –CertificateThumbprint $RunAs.CertificateThumbprint | Out-Null

Select-AzSubscription – form of the autosave call).
Disable-AzureRmContextAutosave -Scope Process | Out-Null

$RunAsConn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzureRmAccount -ServicePrincipal -TenantId $RunAsConn.TenantId -ApplicationId $RunAsConn.ApplicationId -CertificateThumbprint $RunAsConn.CertificateThumbprertificateThumbprint $RunAsConn.CertificateThumbprint | Out-Null
Set-bprint | Uut-Null

Select-AzSubscription –SubscriptionId $RunAs.SubscriptionID | Out-Null

# Snapshot every OS disk tagged for nightly backup
$stamp = Get-Date –Format 'yyyyMMdd'
foreach ncess | Out-Null

$RunAsConn = Get-AutomationConnection -Nacipal –Tenant $RunAs.TenantID –ApplicationId $RunAs.ApplicationID –CertificateThumbprint $RunAs.CeAccount -ServicePrincipal -TenantId $Run.TenantId -ApplicationIhot $config | Out-Null
    Write-Output "Snapshot taken for $($vm.Name)"
}
